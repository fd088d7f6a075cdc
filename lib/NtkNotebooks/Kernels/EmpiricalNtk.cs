using NtkNotebooks.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace NtkNotebooks.Kernels;

/// <summary>
/// The empirical NTK Theta_hat(x, x') = J(x) J(x')^T of a finite network at its current parameters (Eq 4).
/// Chooses <see cref="StructuredNtk"/> for fully connected networks and networks built with <c>Stax</c> (per-layer
/// factors from batched passes) and <see cref="JacobianNtk"/> otherwise (one backward pass per example and output).
/// Float64, on the network's device (the inputs must be there too).
/// </summary>
public static class EmpiricalNtk
{
    /// <summary>Theta_hat(x1, x2) (x2 = x1 when null), float64: [N1, N2] (Mean, Trace) or [N1, N2, k, k] (Full).</summary>
    /// <param name="network">Any network.</param>
    /// <param name="x1">Inputs [N1, ...].</param>
    /// <param name="x2">Inputs [N2, ...], or null for x1.</param>
    /// <param name="outputs">Mean (default), Trace or Full.</param>
    /// <param name="memoryBudgetBytes">Upper bound for the per-example gradients held at once (Stax convolutions and
    /// the general path; the fully connected path holds only activations and cotangents).</param>
    public static Tensor Compute(INtkNetwork network, Tensor x1, Tensor? x2 = null, KernelOutputs outputs = KernelOutputs.Mean,
        long memoryBudgetBytes = JacobianNtk.DefaultMemoryBudgetBytes) => network switch
    {
        FullyConnectedNetwork { Architecture.Activation.Derivative: not null } fc => StructuredNtk.Compute(fc, x1, x2, outputs),
        Stax.StaxNetwork stax => StructuredNtk.Compute(stax, x1, x2, outputs, memoryBudgetBytes),
        _ => JacobianNtk.Compute(network, x1, x2, outputs, memoryBudgetBytes),
    };

    /// <summary>
    /// The Monte Carlo average of Theta_hat over <paramref name="samples"/> initialisations
    /// (<paramref name="createNetwork"/> is called with seeds seed0, seed0 + 1, ...): Figures S9/S10.
    /// </summary>
    public static Tensor MonteCarlo(Func<long, INtkNetwork> createNetwork, Tensor x1, Tensor? x2 = null, int samples = 8, long seed0 = 0)
    {
        ArgumentNullException.ThrowIfNull(createNetwork);
        Guard.Positive(samples, nameof(samples));
        Tensor? sum = null;
        for (var s = 0; s < samples; s++)
        {
            var network = createNetwork(seed0 + s);
            using var kernel = Compute(network, x1, x2);
            (network as IDisposable)?.Dispose();
            sum = sum is null ? kernel.clone() : sum.add_(kernel);
        }
        return sum!.div_(samples);
    }
}
