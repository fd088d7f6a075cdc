using NtkNotebooks.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace NtkNotebooks.Kernels;

/// <summary>
/// Empirical NNGP kernels K_hat (PAPER.md "Kernels"): the covariance of the outputs f_0(x), f_0(x') over random
/// initialisations, estimated from one network's last hidden layer or by Monte Carlo over networks. Float64, on the
/// networks' device.
/// </summary>
public static class EmpiricalNngp
{
    /// <summary>
    /// K_hat(x, x') = sigma_w^2 / n_L x^L(x) . x^L(x') + sigma_b^2 from the last hidden layer of one network:
    /// the exact output covariance over the readout's random weights given the hidden features. Float64 [N1, N2].
    /// </summary>
    public static Tensor FromFeatures(FullyConnectedNetwork network, Tensor x1, Tensor? x2 = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        var architecture = network.Architecture;
        using var scope = NewDisposeScope();
        var f1 = network.LastHiddenFeatures(x1).to(float64);
        var f2 = x2 is null ? f1 : network.LastHiddenFeatures(x2).to(float64);
        var width = f1.shape[1];
        var kernel = f1.matmul(f2.T) * (architecture.WeightVariance / width) + architecture.BiasVariance;
        return Guard.CheckFinite(kernel, "EmpiricalNngp.FromFeatures").MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Monte Carlo estimate (1/(M k)) sum_m sum_a f_0^(m)(x1)_a f_0^(m)(x2)_a over M = <paramref name="samples"/>
    /// initialisations (seeds seed0, seed0 + 1, ...) and the k outputs (which are i.i.d.). Float64 [N1, N2].
    /// </summary>
    public static Tensor MonteCarlo(Func<long, INtkNetwork> createNetwork, Tensor x1, Tensor? x2 = null, int samples = 64, long seed0 = 0)
    {
        ArgumentNullException.ThrowIfNull(createNetwork);
        Guard.Positive(samples, nameof(samples));
        Tensor? sum = null;
        long outputs = 0;
        using var noGrad = no_grad();
        for (var s = 0; s < samples; s++)
        {
            var network = createNetwork(seed0 + s);
            using (var scope = NewDisposeScope())
            {
                var f1 = network.call(x1).to(float64);
                var f2 = x2 is null ? f1 : network.call(x2).to(float64);
                var product = f1.matmul(f2.T);
                if (sum is null) sum = product.MoveToOuterDisposeScope();
                else sum.add_(product);
            }
            outputs += network.Outputs;
            (network as IDisposable)?.Dispose();
        }
        return Guard.CheckFinite(sum!.div_(outputs), "EmpiricalNngp.MonteCarlo");
    }
}
