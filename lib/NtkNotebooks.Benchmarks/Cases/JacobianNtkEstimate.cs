using NtkNotebooks.Benchmarks.Harness;
using NtkNotebooks.Kernels;
using NtkNotebooks.Models;
using static TorchSharp.torch;

namespace NtkNotebooks.Benchmarks.Cases;

/// <summary>
/// How long one <see cref="JacobianNtk.Compute(INtkNetwork, Tensor, Tensor?, KernelOutputs, long)"/> of x with
/// itself would take, to skip runs over the time limit. It mirrors the library's blocking: with the default 1 GiB
/// budget, blocks of r = <see cref="JacobianNtk.RowsPerBlock"/> examples; for x2 = x1 every row block is computed
/// once and reused for its diagonal block, and the column blocks above the diagonal are recomputed for each row block
/// (N + r B (B - 1) / 2 per-example Jacobians for B = ceil(N / r) blocks; N when r &gt;= N). Per-example cost is
/// probed on a few inputs; the float64 contraction (2 k^2 P FLOPs per pair on and above the diagonal blocks) is
/// assumed to run at half the measured float64 matmul rate.
/// </summary>
/// <param name="Seconds">Estimated seconds of one run.</param>
/// <param name="JacobianRows">Per-example Jacobians computed in one run.</param>
/// <param name="ContractedPairs">Pairs (x, x') whose k x k block is contracted in one run.</param>
public sealed record JacobianNtkEstimate(double Seconds, long JacobianRows, long ContractedPairs)
{
    /// <summary>Probes the per-example Jacobian cost and extrapolates.</summary>
    public static JacobianNtkEstimate Of(INtkNetwork network, Tensor x, double float64Gflops)
    {
        var n = x.shape[0];
        var k = network.Outputs;
        var parameters = network.parameters().Sum(p => p.numel());
        var rows = JacobianNtk.RowsPerBlock(network);
        long jacobianRows = 0, pairs = 0;
        for (long i0 = 0; i0 < n; i0 += rows)
        {
            var height = Math.Min(rows, n - i0);
            jacobianRows += height + Math.Max(0, n - i0 - height); // the row block, then the columns above the diagonal
            pairs += height * (n - i0);
        }

        var probe = x.narrow(0, 0, Math.Min(8, n));
        Stopwatches.Once(() => JacobianNtk.Jacobian(network, probe));
        var (seconds, output) = Stopwatches.Once(() => JacobianNtk.Jacobian(network, probe));
        output?.Dispose();
        var perRow = seconds / probe.shape[0];
        var contraction = 2.0 * pairs * k * k * parameters / (0.5 * float64Gflops * 1e9);
        return new JacobianNtkEstimate(jacobianRows * perRow + contraction, jacobianRows, pairs);
    }
}
