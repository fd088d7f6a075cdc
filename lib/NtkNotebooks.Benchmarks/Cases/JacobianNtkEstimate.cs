using NtkNotebooks.Benchmarks.Harness;
using NtkNotebooks.Kernels;
using NtkNotebooks.Models;
using static TorchSharp.torch;

namespace NtkNotebooks.Benchmarks.Cases;

/// <summary>
/// How long one <see cref="JacobianNtk.Compute(INtkNetwork, Tensor, Tensor?, KernelOutputs, long)"/> of x with
/// itself would take, to skip runs over the time limit. It mirrors the library's blocking: with the default 1 GiB
/// budget, blocks of r = budget / (2 k P 8 bytes) Jacobian rows; when r &gt;= N the columns' Jacobian is computed once
/// (2 N per-example Jacobians), otherwise it is recomputed for every row block (N + ceil(N / r) N). Per-example cost
/// is probed on a few inputs; the float64 contraction (2 N^2 k^2 P FLOPs of thin products) is assumed to run at half
/// the measured float64 matmul rate.
/// </summary>
/// <param name="Seconds">Estimated seconds of one run.</param>
/// <param name="JacobianRows">Per-example Jacobians computed in one run.</param>
public sealed record JacobianNtkEstimate(double Seconds, long JacobianRows)
{
    /// <summary>Probes the per-example Jacobian cost and extrapolates.</summary>
    public static JacobianNtkEstimate Of(INtkNetwork network, Tensor x, double float64Gflops)
    {
        var n = x.shape[0];
        var k = network.Outputs;
        var parameters = network.parameters().Sum(p => p.numel());
        var rowsPerBlock = Math.Clamp(JacobianNtk.DefaultMemoryBudgetBytes / (2L * k * parameters * sizeof(double)), 1, int.MaxValue);
        var jacobianRows = rowsPerBlock >= n ? 2 * n : n + (n + rowsPerBlock - 1) / rowsPerBlock * n;

        var probe = x.narrow(0, 0, Math.Min(8, n));
        Stopwatches.Once(() => JacobianNtk.Jacobian(network, probe));
        var (seconds, output) = Stopwatches.Once(() => JacobianNtk.Jacobian(network, probe));
        output?.Dispose();
        var perRow = seconds / probe.shape[0];
        var contraction = 2.0 * n * n * k * k * parameters / (0.5 * float64Gflops * 1e9);
        return new JacobianNtkEstimate(jacobianRows * perRow + contraction, jacobianRows);
    }
}
