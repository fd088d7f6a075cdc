using NtkNotebooks.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace NtkNotebooks.Kernels;

/// <summary>
/// The general empirical NTK for any network (Eq 4): per-example Jacobians J(x) = df/dtheta [k, P], computed by
/// reverse-mode autodiff (one backward pass per example and output, since TorchSharp has no vmap), contracted as
/// Theta_hat(x, x') = J(x) J(x')^T with matrix products, block by block so memory stays under a budget.
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
    /// <param name="memoryBudgetBytes">Upper bound for the Jacobian blocks held at once.</param>
    public static Tensor Compute(INtkNetwork network, Tensor x1, Tensor? x2 = null, KernelOutputs outputs = KernelOutputs.Mean,
        long memoryBudgetBytes = DefaultMemoryBudgetBytes)
    {
        ArgumentNullException.ThrowIfNull(network);
        Guard.Positive(memoryBudgetBytes, nameof(memoryBudgetBytes));
        var a = network.PrepareInput(x1, nameof(x1));
        var b = x2 is null ? a : network.PrepareInput(x2, nameof(x2));
        var parameters = network.parameters().ToArray();
        var k = network.Outputs;
        var p = parameters.Sum(t => t.numel());

        // Two blocks of rows of J are alive at once, each [rows * k, P] float64.
        var rows = (int)Math.Clamp(memoryBudgetBytes / (2L * k * p * sizeof(double)), 1, int.MaxValue);
        long n1 = a.shape[0], n2 = b.shape[0];
        var result = outputs == KernelOutputs.Full ? zeros([n1, n2, k, k], float64) : zeros([n1, n2], float64);

        var cachedColumns = rows >= n2 ? Jacobian(network, parameters, b) : null; // all of J(x2) fits: compute once
        for (long i0 = 0; i0 < n1; i0 += rows)
        {
            using var scope = NewDisposeScope();
            var i1 = Math.Min(n1, i0 + rows);
            var left = Jacobian(network, parameters, a.narrow(0, i0, i1 - i0));
            for (long j0 = 0; j0 < n2; j0 += rows)
            {
                var j1 = Math.Min(n2, j0 + rows);
                using var inner = NewDisposeScope(); // frees each column block (and its products) before the next
                var right = cachedColumns ?? Jacobian(network, parameters, b.narrow(0, j0, j1 - j0));
                var block = left.matmul(right.T).reshape(i1 - i0, k, j1 - j0, k).permute(0, 2, 1, 3); // [i, j, a, b]
                result.narrow(0, i0, i1 - i0).narrow(1, j0, j1 - j0).copy_(Reduce(block, outputs));
            }
        }
        cachedColumns?.Dispose();
        return Guard.CheckFinite(result, "JacobianNtk.Compute");
    }

    /// <summary>
    /// The Jacobian df/dtheta of every example, stacked as rows [N * k, P] (row i * k + a is example i, output a),
    /// float64, parameters flattened and concatenated in <c>parameters()</c> order.
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
        var rows = new List<Tensor>((int)x.shape[0] * k);
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
                var row = cat(grads.Select((g, idx) => g.Handle == IntPtr.Zero ? zeros(parameters[idx].numel(), float64) : g.flatten().to(float64)).ToArray());
                rows.Add(row.MoveToOuterDisposeScope());
            }
        }
        var jacobian = stack(rows);
        foreach (var row in rows) row.Dispose();
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
