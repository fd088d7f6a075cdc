using NtkNotebooks.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace NtkNotebooks.Kernels;

/// <summary>
/// The general empirical NTK for any network (Eq 4): per-example Jacobians J(x) = df/dtheta [k, P], computed by
/// reverse-mode autodiff (one backward pass per example and output, since TorchSharp has no vmap), stored in the
/// network's dtype and contracted as Theta_hat(x, x') = J(x) J(x')^T with float64 matrix products, block by block so
/// memory stays under a budget. For x2 = x1 only the blocks on and above the diagonal are computed; the rest is their
/// mirror image. Runs on the network's device; the result is float64 on that device (products of float32 Jacobian
/// entries are exact in float64, so only the sums gain precision).
/// </summary>
public static class JacobianNtk
{
    /// <summary>Default memory budget for Jacobian blocks: 1 GiB.</summary>
    public const long DefaultMemoryBudgetBytes = 1L << 30;

    /// <summary>Theta_hat(x1, x2) (x2 = x1 when null), float64; shape per <paramref name="outputs"/>.</summary>
    /// <param name="network">Any network.</param>
    /// <param name="x1">Inputs [N1, ...].</param>
    /// <param name="x2">Inputs [N2, ...], or null for x1.</param>
    /// <param name="outputs">Mean (default) / Trace: [N1, N2]; Full: [N1, N2, k, k].</param>
    /// <param name="memoryBudgetBytes">Upper bound for the Jacobian blocks held at once (two blocks of
    /// <see cref="RowsPerBlock"/> examples). When all of J(x2) fits, it is computed once; otherwise the column blocks
    /// are recomputed for every row block.</param>
    public static Tensor Compute(INtkNetwork network, Tensor x1, Tensor? x2 = null, KernelOutputs outputs = KernelOutputs.Mean,
        long memoryBudgetBytes = DefaultMemoryBudgetBytes)
    {
        ArgumentNullException.ThrowIfNull(network);
        Guard.Positive(memoryBudgetBytes, nameof(memoryBudgetBytes));
        var a = network.PrepareInput(x1, nameof(x1));
        var symmetric = x2 is null;
        var b = x2 is null ? a : network.PrepareInput(x2, nameof(x2));
        var parameters = network.parameters().ToArray();
        var k = network.Outputs;
        var rows = RowsPerBlock(network, memoryBudgetBytes);
        long n1 = a.shape[0], n2 = b.shape[0];
        var result = outputs == KernelOutputs.Full ? zeros([n1, n2, k, k], float64, a.device) : zeros([n1, n2], float64, a.device);

        var cachedColumns = !symmetric && rows >= n2 ? Jacobian(network, parameters, b) : null; // all of J(x2) fits: compute once
        for (long i0 = 0; i0 < n1; i0 += rows)
        {
            using var scope = NewDisposeScope();
            var i1 = Math.Min(n1, i0 + rows);
            var left = Jacobian(network, parameters, a.narrow(0, i0, i1 - i0));
            for (var j0 = symmetric ? i0 : 0; j0 < n2; j0 += rows)
            {
                var j1 = Math.Min(n2, j0 + rows);
                using var inner = NewDisposeScope(); // frees each column block (and its products) before the next
                var right = symmetric && j0 == i0 ? left : cachedColumns ?? Jacobian(network, parameters, b.narrow(0, j0, j1 - j0));
                var block = Contract(left, right).reshape(i1 - i0, k, j1 - j0, k).permute(0, 2, 1, 3); // [i, j, a, b]
                var reduced = Reduce(block, outputs);
                result.narrow(0, i0, i1 - i0).narrow(1, j0, j1 - j0).copy_(reduced);
                // Theta(x_j, x_i)_ba = Theta(x_i, x_j)_ab.
                if (symmetric && j0 != i0)
                    result.narrow(0, j0, j1 - j0).narrow(1, i0, i1 - i0).copy_(outputs == KernelOutputs.Full ? reduced.permute(1, 0, 3, 2) : reduced.T);
            }
        }
        cachedColumns?.Dispose();
        return Guard.CheckFinite(result, "JacobianNtk.Compute");
    }

    /// <summary>Examples per Jacobian block: two blocks of [rows k, P] in the network's dtype fit the budget.</summary>
    public static long RowsPerBlock(INtkNetwork network, long memoryBudgetBytes = DefaultMemoryBudgetBytes)
    {
        ArgumentNullException.ThrowIfNull(network);
        var parameters = network.parameters().Sum(t => t.numel());
        var elementBytes = network.DType == ScalarType.Float64 ? 8L : 4L;
        return Math.Clamp(memoryBudgetBytes / (2L * network.Outputs * parameters * elementBytes), 1, int.MaxValue);
    }

    /// <summary>Parameters per float64 slab of the contraction: 2^16.</summary>
    const long SlabParameters = 1 << 16;

    // left right^T in float64. Each entry sums P products, and float32 accumulation over P ~ 10^7 parameters is off by
    // ~5e-4 relative (measured on a 3 x 2048 network). Products of float32 numbers are exact in float64, so widening
    // a slab of parameters at a time and accumulating in float64 is as accurate as a float64 Jacobian, with float32
    // storage (twice the rows per block, half the recomputation) and float64 copies of only one slab.
    static Tensor Contract(Tensor left, Tensor right) => SlabGram.Of(left, right, SlabParameters, widen: true);

    /// <summary>
    /// The Jacobian df/dtheta of every example, stacked as rows [N * k, P] (row i * k + a is example i, output a),
    /// in the network's dtype, parameters flattened and concatenated in <c>parameters()</c> order.
    /// </summary>
    public static Tensor Jacobian(INtkNetwork network, Tensor x)
    {
        ArgumentNullException.ThrowIfNull(network);
        return Jacobian(network, network.parameters().ToArray(), network.PrepareInput(x, nameof(x)));
    }

    static Tensor Jacobian(INtkNetwork network, TorchSharp.Modules.Parameter[] parameters, Tensor x)
    {
        foreach (var parameter in parameters)
        {
            if (!parameter.requires_grad)
                throw new InvalidOperationException("Every parameter must require gradients to compute a Jacobian.");
        }
        var k = network.Outputs;
        var sizes = parameters.Select(t => t.numel()).ToArray();
        var jacobian = empty([x.shape[0] * k, sizes.Sum()], network.DType, network.Device);
        using var enableGrad = enable_grad();
        for (long i = 0; i < x.shape[0]; i++)
        {
            using var scope = NewDisposeScope();
            var output = network.call(x.narrow(0, i, 1));
            if (!output.requires_grad || output.dim() != 2 || output.shape[1] != k)
                throw new InvalidOperationException($"The network must return [1, {k}] outputs that depend on its parameters; got {Guard.Shape(output)}.");
            for (var o = 0; o < k; o++)
            {
                var grads = autograd.grad([output[0, o]], parameters, retain_graph: o < k - 1, allow_unused: true);
                var row = jacobian[i * k + o];
                long offset = 0;
                for (var p = 0; p < parameters.Length; offset += sizes[p], p++)
                {
                    var target = row.narrow(0, offset, sizes[p]);
                    if (grads[p].IsInvalid) target.zero_(); // unused parameter: zero derivative
                    else target.copy_(grads[p].flatten());
                }
            }
        }
        return jacobian;
    }

    /// <summary>Reduces [.., .., k, k] blocks to the requested output form.</summary>
    internal static Tensor Reduce(Tensor blocks, KernelOutputs outputs) => outputs switch
    {
        KernelOutputs.Full => blocks,
        KernelOutputs.Trace => blocks.diagonal(0, -2, -1).sum(-1),
        KernelOutputs.Mean => blocks.diagonal(0, -2, -1).mean([-1]),
        _ => throw new ArgumentOutOfRangeException(nameof(outputs), outputs, null),
    };
}
