using NtkNotebooks.Stax;
using TorchSharp;
using static TorchSharp.torch;

namespace NtkNotebooks.Kernels;

public static partial class StructuredNtk
{
    /// <summary>
    /// The fast empirical NTK of a <see cref="StaxNetwork"/> (any composition of Dense, Conv, pooling, activations and
    /// residual branches), Eq 4 summed layer by layer: Theta_hat(x, x') = sum_l J_l(x) J_l(x')^T with J_l = df/dtheta_l
    /// the Jacobian of layer l's weights and bias. Every layer computes h = a_l (weights applied to u) + c_l b from its
    /// input u, so with G_l = df/dh (the cotangent of its output):
    /// <code>
    /// Dense:  J_l(x) J_l(x')^T = [ a_l^2 u(x) . u(x') + c_l^2 ] G_l(x) G_l(x')^T
    /// Conv:   dJ/dw(x) = a_l sum_p G_l(x)[:, p] (x) patch_p(u(x)),   dJ/db(x) = c_l sum_p G_l(x)[:, p]
    /// </code>
    /// (p runs over output pixels, patch_p is the kh x kw window of u that output pixel p reads). Examples never
    /// interact in a Stax network, so one batched forward pass and k batched backward passes (one per output) give u and
    /// G_l for every example; a convolution's per-example filter gradients are then one batched matrix product per layer
    /// ([C_out, H'W'] x [H'W', C_in kh kw]), never the P-wide Jacobian of the whole network.
    /// Equal to <see cref="JacobianNtk"/> up to round-off.
    /// Runs on the network's device: passes, per-example gradients and Gram products of up to 4096 features in the
    /// network's dtype (as for dense layers), accumulated in float64; the result is float64 on that device.
    /// </summary>
    /// <param name="network">A network built with <c>Stax</c>; all its parameters must require gradients.</param>
    /// <param name="x1">Inputs [N1, ..InputShape].</param>
    /// <param name="x2">Inputs [N2, ..InputShape], or null for x1.</param>
    /// <param name="outputs">Mean (default) / Trace: [N1, N2]; Full: [N1, N2, k, k].</param>
    /// <param name="memoryBudgetBytes">Upper bound for the per-example filter gradients held at once (two blocks of
    /// examples, per convolution); larger layers are processed in blocks of examples.</param>
    public static Tensor Compute(StaxNetwork network, Tensor x1, Tensor? x2 = null, KernelOutputs outputs = KernelOutputs.Mean,
        long memoryBudgetBytes = JacobianNtk.DefaultMemoryBudgetBytes)
    {
        ArgumentNullException.ThrowIfNull(network);
        Guard.Positive(memoryBudgetBytes, nameof(memoryBudgetBytes));
        if (!Enum.IsDefined(outputs)) throw new ArgumentOutOfRangeException(nameof(outputs), outputs, "Expected Mean, Trace or Full.");
        foreach (var parameter in network.parameters())
        {
            if (!parameter.requires_grad)
                throw new InvalidOperationException("Every parameter must require gradients to compute the empirical NTK.");
        }
        using var scope = NewDisposeScope();
        var left = SiteFactors.Of(network, network.PrepareInput(x1, nameof(x1)));
        var right = x2 is null ? left : SiteFactors.Of(network, network.PrepareInput(x2, nameof(x2)));
        var k = network.Outputs;
        var full = outputs == KernelOutputs.Full;
        // Rows are examples (Mean, Trace: output blocks summed) or (example, output) pairs (Full).
        var kernel = zeros(full ? [left.Count * k, right.Count * k] : [left.Count, right.Count], float64, network.Device);
        using (no_grad())
        {
            for (var l = 0; l < left.Sites.Count; l++)
            {
                using var layer = NewDisposeScope();
                if (left.Sites[l].Filter is null) AddDense(kernel, left, right, l, k, full);
                else AddConv(kernel, left, right, l, k, full, ReferenceEquals(left, right), memoryBudgetBytes);
            }
        }
        var result = full
            ? kernel.view(left.Count, k, right.Count, k).permute(0, 2, 1, 3).contiguous()
            : outputs == KernelOutputs.Mean ? kernel.div_(k) : kernel;
        return Guard.CheckFinite(result, "StructuredNtk.Compute").MoveToOuterDisposeScope();
    }

    // [a^2 u u'^T + c^2] (G G'^T): the outer-product structure of a dense layer's gradients, never materialised.
    static void AddDense(Tensor kernel, SiteFactors left, SiteFactors right, int l, int k, bool full)
    {
        var (site, other) = (left.Sites[l], right.Sites[l]);
        var p = site.Parameters;
        var scale = site.Input.matmul(other.Input.T).mul_(p.WeightScale * p.WeightScale);
        if (p.Bias is not null) scale.add_(p.BiasScale * p.BiasScale);
        Tensor g1 = left.Cotangents[l], g2 = right.Cotangents[l]; // [N, k, width]
        var width = g1.shape[2];
        if (full)
        {
            var gram = g1.reshape(left.Count * k, width).matmul(g2.reshape(right.Count * k, width).T);
            kernel.view(left.Count, k, right.Count, k).addcmul_(scale.unsqueeze(1).unsqueeze(-1), gram.view(left.Count, k, right.Count, k), 1);
        }
        else
        {
            kernel.addcmul_(scale, g1.reshape(left.Count, -1).matmul(g2.reshape(right.Count, -1).T), 1);
        }
    }

    // Per-example gradients of the filters and bias, [rows, D] with D = k (C_out C_in kh kw + C_out) (Mean, Trace) or
    // [rows k, D / k] (Full), contracted in float64 block by block within the memory budget.
    static void AddConv(Tensor kernel, SiteFactors left, SiteFactors right, int l, int k, bool full, bool symmetric, long budget)
    {
        var site = left.Sites[l];
        // Per example: the filter and bias gradients for k outputs, and the patches they are computed from.
        var pixels = site.Output.shape[2] * site.Output.shape[3];
        var perExample = k * (site.Parameters.Weight.numel() + (site.Parameters.Bias?.numel() ?? 0)) + site.Parameters.Weight.numel() / site.Output.shape[1] * pixels;
        var bytes = site.Input.element_size();
        var rows = Math.Clamp(budget / (2L * perExample * bytes), 1, int.MaxValue);
        var columnsOnce = !symmetric && rows >= right.Count ? ConvGradients(right, l, 0, right.Count, k, full) : null;
        var unit = full ? k : 1;
        for (long i0 = 0; i0 < left.Count; i0 += rows)
        {
            using var block = NewDisposeScope();
            var i1 = Math.Min(left.Count, i0 + rows);
            var f1 = ConvGradients(left, l, i0, i1, k, full);
            for (var j0 = symmetric ? i0 : 0; j0 < right.Count; j0 += rows)
            {
                using var inner = NewDisposeScope();
                var j1 = Math.Min(right.Count, j0 + rows);
                var f2 = symmetric && j0 == i0 ? f1 : columnsOnce ?? ConvGradients(right, l, j0, j1, k, full);
                var product = SlabGram.Of(f1, f2, GramSlab, widen: false);
                kernel.narrow(0, i0 * unit, (i1 - i0) * unit).narrow(1, j0 * unit, (j1 - j0) * unit).add_(product);
                // In the [N k, N k] layout Theta(x_j, x_i)_ba = Theta(x_i, x_j)_ab is the plain transpose.
                if (symmetric && j0 != i0)
                    kernel.narrow(0, j0 * unit, (j1 - j0) * unit).narrow(1, i0 * unit, (i1 - i0) * unit).add_(product.T);
            }
        }
        columnsOnce?.Dispose();
    }

    // dJ/dw = a sum_p G[:, p] (x) patch_p per example and output: one batched product G [k C_out, H'W'] x
    // patches^T [H'W', kh kw C_in], the patches laid out offset-major (Window.Offsets), not in the filters' [C_out, C_in, kh, kw]
    // order; the kernel sums over all parameters, so the order does not matter. dJ/db = c sum_p G.
    static Tensor ConvGradients(SiteFactors factors, int l, long i0, long i1, int k, bool full)
    {
        var site = factors.Sites[l];
        var n = i1 - i0;
        var g = factors.Cotangents[l].narrow(0, i0, n).flatten(3); // [n, k, C_out, H'W']
        var p = site.Parameters;
        var patches = cat(site.Filter!.Offsets(site.Input.narrow(0, i0, n)).ToArray(), 1); // [n, kh kw C_in, H'W']
        var weights = g.flatten(1, 2).bmm(patches.transpose(1, 2)).mul_(p.WeightScale).view(n, k, -1);
        var gradients = p.Bias is null ? weights : cat([weights, g.sum(-1).mul_(p.BiasScale)], -1);
        return full ? gradients.reshape(n * k, -1) : gradients.reshape(n, -1);
    }

    /// <summary>Features per slab of the filter-gradient Gram products: the width of a wide dense layer, whose Gram
    /// products <see cref="AddDense"/> also forms in the network's dtype, so a float32 sum's round-off stays that of a
    /// dense layer however many parameters a convolution has.</summary>
    const long GramSlab = 4096;

    /// <summary>Every Dense and Conv layer's input u and output cotangents G = df/dh [N, k, ..h's shape], from one
    /// batched forward pass and k batched backward passes (examples do not interact, so the gradient of
    /// sum_n f_o(x_n) with respect to h(x_n) is df_o(x_n)/dh(x_n)).</summary>
    sealed record SiteFactors(IReadOnlyList<SiteActivity> Sites, Tensor[] Cotangents, long Count)
    {
        public static SiteFactors Of(StaxNetwork network, Tensor x)
        {
            using var grad = enable_grad();
            var (output, sites) = network.Trace(x);
            var h = sites.Select(s => s.Output).ToArray();
            var k = network.Outputs;
            var perOutput = new Tensor[h.Length][];
            for (var l = 0; l < h.Length; l++) perOutput[l] = new Tensor[k];
            for (var o = 0; o < k; o++)
            {
                var grads = autograd.grad([output[.., o].sum()], h, retain_graph: o < k - 1, allow_unused: true);
                for (var l = 0; l < h.Length; l++)
                    perOutput[l][o] = grads[l].IsInvalid ? zeros_like(h[l]) : grads[l]; // an output that does not reach layer l
            }
            var cotangents = perOutput.Select(g => stack(g, 1).detach()).ToArray();
            var detached = sites.Select(s => s with { Input = s.Input.detach(), Output = s.Output.detach() }).ToArray();
            return new SiteFactors(detached, cotangents, x.shape[0]);
        }
    }
}
