using NtkNotebooks.Kernels;
using TorchSharp;
using static TorchSharp.torch;

namespace NtkNotebooks.Stax;

/// <summary>
/// The kernel face of an <see cref="Architecture"/>: runs the layers' kernel maps on tiles of example pairs and
/// assembles K and Theta, as <see cref="AnalyticKernels"/> does for dense stacks. Each tile starts from the input's
/// second moments averaged over channels, Sigma[x, x', p, p'] = (1/C) sum_c x[c, p] x'[c, p'] (x.x'/d for vectors;
/// only p = p' when no layer pools), and holds at most about <see cref="AnalyticKernels.DefaultBlockPairs"/> float64
/// entries per tensor; the only O(N1 N2) memory is the result.
/// </summary>
internal static class StaxKernels
{
    /// <summary>K and Theta of <paramref name="architecture"/> (see <see cref="Architecture.Kernels"/>, which documents the other parameters).</summary>
    /// <param name="architecture">The network.</param>
    /// <param name="x1">Inputs [N1, ...].</param>
    /// <param name="x2">Inputs [N2, ...], or null (or x1) for the symmetric case.</param>
    /// <param name="quadrature">Rule for activations without closed form.</param>
    /// <param name="rowBlock">Rows per tile, or null for the budget.</param>
    /// <param name="blockEntries">Float64 entries per tile and tensor (a test hook for many small tiles).</param>
    public static KernelPair Compute(Architecture architecture, Tensor x1, Tensor? x2, GaussianQuadrature quadrature, int? rowBlock,
        long blockEntries = AnalyticKernels.DefaultBlockPairs)
    {
        if (architecture.KernelIssue is { } issue)
            throw new NotSupportedException($"No analytic kernels for {architecture}: {issue}.");
        if (rowBlock is { } requested) Guard.Positive(requested, nameof(rowBlock));
        // x2 = x1 (the same tensor) is the symmetric case, computed once per unordered pair.
        var symmetric = x2 is null || ReferenceEquals(x1, x2);
        Guard.SameDevice((x1, nameof(x1)), (x2, nameof(x2)));
        var a = Check(architecture, x1, nameof(x1));
        var b = symmetric ? a : Check(architecture, x2!, nameof(x2));
        var (n1, n2) = (a.shape[0], b.shape[0]);
        var layout = architecture.Network.Require([Layout.Diagonal], 1)[0];
        var entries = architecture.EntriesPerPair;
        var budget = blockEntries;
        var context = new KernelContext(quadrature);

        var nngp = empty([n1, n2], float64, b.device);
        var ntk = empty([n1, n2], float64, b.device);
        for (long i0 = 0, rows; i0 < n1; i0 += rows)
        {
            var c0 = symmetric ? i0 : 0;
            rows = Math.Min(n1 - i0, rowBlock ?? Math.Max(1, budget / (entries * (n2 - c0))));
            // Columns per tile; the first tile of a symmetric row block holds its square block on the diagonal.
            var chunk = Math.Max(rows, budget / (entries * rows));
            for (long j0 = c0, columns; j0 < n2; j0 += columns)
            {
                columns = Math.Min(n2 - j0, chunk);
                using var scope = NewDisposeScope();
                var pinned = symmetric && j0 == i0;
                var input = InputState(architecture.Input, layout, a.narrow(0, i0, rows), b.narrow(0, j0, columns), pinned);
                var output = architecture.Network.Propagate([input], [Layout.Diagonal], context)[0];
                var where = $"Architecture.Kernels, rows {i0}..{i0 + rows - 1}, columns {j0}..{j0 + columns - 1}";
                Store(nngp, Guard.CheckFinite(output.Nngp, where + " (NNGP)"), i0, j0, symmetric);
                // Without any parameters the NTK is zero (a network of only Flatten/pooling has no Dense output anyway).
                var theta = output.Ntk ?? zeros_like(output.Nngp);
                Store(ntk, Guard.CheckFinite(theta, where + " (NTK)"), i0, j0, symmetric);
            }
        }
        return new KernelPair(nngp, ntk);
    }

    static Tensor Check(Architecture architecture, Tensor x, string name)
    {
        architecture.CheckShape(x, name);
        Guard.NonEmptyFinite(x, name);
        return x.to(float64);
    }

    // Second moments of the inputs averaged over channels (features).
    static KernelState InputState(Shape shape, Layout layout, Tensor rows, Tensor columns, bool pinned)
    {
        var c = (double)shape.Channels;
        if (!shape.IsImage)
        {
            var cross = rows.matmul(columns.T).div_(c);
            var self1 = pinned ? null : rows.square().sum(1).div_(c);
            return KernelState.Create(shape, layout, cross, self1, columns.square().sum(1).div_(c), pinned);
        }
        var (h, w, p) = (shape.Height, shape.Width, (long)shape.Pixels);
        var (r, n) = (rows.shape[0], columns.shape[0]);
        var xr = rows.reshape(r, shape.Channels, p);
        var xc = columns.reshape(n, shape.Channels, p);
        if (layout == Layout.Diagonal)
        {
            // [p, r, C] x [p, C, n] -> [p, r, n] -> [r, n, H, W]
            var cross = xr.permute(2, 0, 1).bmm(xc.permute(2, 1, 0)).permute(1, 2, 0).reshape(r, n, h, w).div_(c);
            var self1 = pinned ? null : xr.square().sum(1).reshape(r, h, w).div_(c);
            return KernelState.Create(shape, layout, cross, self1, xc.square().sum(1).reshape(n, h, w).div_(c), pinned);
        }
        // [r p, C] x [C, n p] -> [r, p, n, p] -> [r, n, H, W, H, W]
        var pairs = xr.transpose(1, 2).reshape(r * p, shape.Channels).matmul(xc.permute(1, 0, 2).reshape(shape.Channels, n * p))
            .reshape(r, p, n, p).permute(0, 2, 1, 3).reshape(r, n, h, w, h, w).div_(c);
        return KernelState.Create(shape, layout, pairs, pinned ? null : Self(xr, h, w, c), Self(xc, h, w, c), pinned);
    }

    // [B, C, P] -> [B, H, W, H, W]: (1/C) x^T x per example.
    static Tensor Self(Tensor x, int h, int w, double c) => x.transpose(1, 2).bmm(x).reshape(x.shape[0], h, w, h, w).div_(c);

    // Writes the tile of rows i0.. and columns j0.. When symmetric (j0 >= i0), also its mirror image below the diagonal;
    // a tile starting on the diagonal (j0 = i0) mirrors the upper triangle of its square part.
    static void Store(Tensor kernel, Tensor tile, long i0, long j0, bool symmetric)
    {
        var (rows, columns) = (tile.shape[0], tile.shape[1]);
        kernel.narrow(0, i0, rows).narrow(1, j0, columns).copy_(tile);
        if (!symmetric) return;
        if (j0 > i0)
        {
            kernel.narrow(0, j0, columns).narrow(1, i0, rows).copy_(tile.T);
            return;
        }
        kernel.narrow(0, i0 + rows, columns - rows).narrow(1, i0, rows).copy_(tile.narrow(1, rows, columns - rows).T);
        var square = kernel.narrow(0, i0, rows).narrow(1, i0, rows);
        using var upper = square.triu(1);
        square.copy_(upper).add_(upper.T).diagonal().copy_(tile.diagonal());
    }
}
