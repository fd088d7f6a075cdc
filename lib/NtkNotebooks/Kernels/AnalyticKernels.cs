using NtkNotebooks.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace NtkNotebooks.Kernels;

/// <summary>
/// Infinite-width NNGP and NTK kernels of a fully connected network in NTK parameterization, by the recursions of
/// PAPER.md "Kernels" (S24-S29):
/// <code>
/// K^1 = sigma_w^2 x.x'/n_0 + sigma_b^2,   Theta^1 = K^1
/// K^{l+1} = sigma_w^2 T(Sigma^l) + sigma_b^2,   Theta^{l+1} = K^{l+1} + sigma_w^2 TDot(Sigma^l) Theta^l
/// </code>
/// returning K^{L+1} and Theta^{L+1} (the kernel of each output; across k outputs it is K (x) I_k).
/// T and TDot are closed forms for ReLU, erf and identity and <see cref="GaussianQuadrature"/> otherwise.
/// Float64 throughout, vectorised over all N1 x N2 pairs, computed in row blocks to bound memory.
/// </summary>
public static class AnalyticKernels
{
    /// <summary>Memory for the temporaries of one row block when no block size is given: 2 GiB.</summary>
    public const long DefaultBlockBytes = 2L << 30;

    /// <summary>K(x1, x2) and Theta(x1, x2), each [N1, N2] float64 (x2 = x1 when null).</summary>
    /// <param name="architecture">Depth, activation, sigmas (widths are irrelevant: they are infinite).</param>
    /// <param name="x1">Inputs [N1, n_0].</param>
    /// <param name="x2">Inputs [N2, n_0], or null for x1.</param>
    /// <param name="quadrature">Rule for activations without closed form; <see cref="GaussianQuadrature.Default"/> if null.</param>
    /// <param name="rowBlock">Rows of x1 processed at once; default: as many as fit <see cref="DefaultBlockBytes"/> at
    /// about 1 KiB of temporaries per pair (measured for depth-5 ReLU), so that N = 20 000 fits in a few GiB.</param>
    public static KernelPair Compute(FullyConnectedArchitecture architecture, Tensor x1, Tensor? x2 = null,
        GaussianQuadrature? quadrature = null, int? rowBlock = null)
    {
        var expectations = Prepare(architecture, quadrature);
        if (rowBlock is { } requested) Guard.Positive(requested, nameof(rowBlock));
        var a = CheckInputs(architecture, x1, nameof(x1));
        var b = x2 is null ? a : CheckInputs(architecture, x2, nameof(x2));
        var (n1, n2) = (a.shape[0], b.shape[0]);
        var block = rowBlock ?? (int)Math.Clamp(DefaultBlockBytes / (1024L * n2), 1, n1);

        var d2 = InputVariances(architecture, b);
        var nngp = empty([n1, n2], float64, b.device);
        var ntk = empty([n1, n2], float64, b.device);
        for (long i0 = 0; i0 < n1; i0 += block)
        {
            using var scope = NewDisposeScope();
            var i1 = Math.Min(n1, i0 + block);
            var rows = a.narrow(0, i0, i1 - i0);
            var d1 = InputVariances(architecture, rows);
            var cross = FirstLayer(architecture, rows.matmul(b.T));
            var (k, theta) = Recurse(architecture, expectations, d1.unsqueeze(1), cross, d2.unsqueeze(0), x2 is null ? i0 : null);
            nngp.narrow(0, i0, i1 - i0).copy_(k);
            ntk.narrow(0, i0, i1 - i0).copy_(theta);
        }
        return new KernelPair(Guard.CheckFinite(nngp, "AnalyticKernels.Compute (NNGP)"), Guard.CheckFinite(ntk, "AnalyticKernels.Compute (NTK)"));
    }

    /// <summary>Only the diagonal K(x, x) and Theta(x, x), each [N] float64: O(N) work.</summary>
    public static KernelPair Diagonal(FullyConnectedArchitecture architecture, Tensor x, GaussianQuadrature? quadrature = null)
    {
        var expectations = Prepare(architecture, quadrature);
        var a = CheckInputs(architecture, x, nameof(x));
        var d = InputVariances(architecture, a);
        var (k, theta) = Recurse(architecture, expectations, d, d, d);
        return new KernelPair(Guard.CheckFinite(k, "AnalyticKernels.Diagonal (NNGP)"), Guard.CheckFinite(theta, "AnalyticKernels.Diagonal (NTK)"));
    }

    // Runs layers 1..L of the recursion from the first-layer kernels; k11/k22 are the diagonal variances of the two
    // sides (broadcastable against k12). Returns K^{L+1}, Theta^{L+1}.
    // selfOffset: when x2 = x1, the column of row 0's own point. Its entries K(x, x) are then copied from the diagonal
    // recursion at every layer, so the pair (x, x) has an exactly singular covariance. Otherwise rounding leaves
    // det = k11 k22 - k12^2 at +-1e-16, the angle between x and itself at ~1e-8 (the angle is a square root of det),
    // and TDot of kinked activations (ReLU) 1e-9 off, an error that compounds with depth.
    static (Tensor K, Tensor Theta) Recurse(FullyConnectedArchitecture architecture, GaussianExpectations expectations,
        Tensor k11, Tensor k12, Tensor k22, long? selfOffset = null)
    {
        if (selfOffset is { } first) k12.diagonal(first).copy_(k11.flatten());
        var sw2 = architecture.SigmaW * architecture.SigmaW;
        var sb2 = architecture.UseBias ? architecture.SigmaB * architecture.SigmaB : 0.0;
        var theta = k12;
        for (var l = 0; l < architecture.Depth; l++)
        {
            var (t, tDot) = expectations(k11, k12, k22);
            var next = sw2 * t + sb2;
            theta = next + sw2 * tDot * theta;
            // The diagonal variances follow the same map (T of a point with itself).
            var diagonal1 = sw2 * expectations(k11, k11, k11).T + sb2;
            var diagonal2 = ReferenceEquals(k11, k22) ? diagonal1 : sw2 * expectations(k22, k22, k22).T + sb2;
            k11 = diagonal1;
            k22 = diagonal2;
            k12 = next;
            if (selfOffset is { } offset) k12.diagonal(offset).copy_(k11.flatten());
        }
        return (k12, theta);
    }

    static GaussianExpectations Prepare(FullyConnectedArchitecture architecture, GaussianQuadrature? quadrature)
    {
        ArgumentNullException.ThrowIfNull(architecture);
        if (architecture.Parameterization != Parameterization.Ntk)
            throw new ArgumentException(
                $"The analytic NTK is the infinite-width limit of the NTK parameterization (Eq 1); got {architecture.Parameterization}. " +
                "Use architecture.WithParameterization(Parameterization.Ntk): the NNGP is the same, and standard-parameterization dynamics " +
                "map to it through the layer-wise learning rates of S37.", nameof(architecture));
        if (architecture.Activation.ClosedForm is { } closedForm) return closedForm;
        architecture.Activation.RequireDerivative("the analytic NTK");
        var rule = quadrature ?? GaussianQuadrature.Default;
        return (k11, k12, k22) => rule.Expectations(architecture.Activation, k11, k12, k22);
    }

    static Tensor CheckInputs(FullyConnectedArchitecture architecture, Tensor x, string name)
    {
        Guard.Matrix(x, architecture.InputDim, name);
        var x64 = x.to(float64);
        if (!architecture.UseBias)
        {
            using var norms = x64.square().sum(1);
            using var zero = norms.eq(0).nonzero();
            if (zero.shape[0] > 0)
                throw new ArgumentException(
                    $"{name} row {zero[0, 0].item<long>()} is the zero vector; without biases its kernel is degenerate (0/0 angles). Add sigma_b > 0 or remove it.", name);
        }
        return x64;
    }

    static Tensor InputVariances(FullyConnectedArchitecture architecture, Tensor x) =>
        FirstLayer(architecture, x.square().sum(1));

    static Tensor FirstLayer(FullyConnectedArchitecture architecture, Tensor dots)
    {
        var sw2 = architecture.SigmaW * architecture.SigmaW;
        var sb2 = architecture.UseBias ? architecture.SigmaB * architecture.SigmaB : 0.0;
        return dots * (sw2 / architecture.InputDim) + sb2;
    }
}
