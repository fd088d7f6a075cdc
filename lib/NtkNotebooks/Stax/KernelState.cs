using TorchSharp;
using static TorchSharp.torch;

namespace NtkNotebooks.Stax;

/// <summary>
/// Which pixel pairs a kernel state keeps for image streams (vector streams have none). neural-tangents calls the
/// smaller one <c>diagonal_spatial</c>.
/// </summary>
internal enum Layout
{
    /// <summary>Only the same pixel of both examples, Sigma[x, x', p, p]: enough for convolutions, activations and Flatten.</summary>
    Diagonal,
    /// <summary>Every pixel pair, Sigma[x, x', p, p']: needed below pooling, which averages over pixel pairs.</summary>
    Full,
}

/// <summary>
/// The infinite-width kernels of one stream for a tile of example pairs, what neural-tangents' <c>Kernel</c> record holds:
/// the second moments (NNGP) <see cref="Nngp"/> [R, C, ...] of rows x1 against columns x2 and the NTK <see cref="Ntk"/>,
/// each averaged over the stream's channels, and the second moments of every example with itself, <see cref="Var1"/>
/// [R, ...] and <see cref="Var2"/> [C, ...], which the activations read for their pixel variances. The trailing
/// dimensions are none (vectors), [H, W] (<see cref="Layout.Diagonal"/>) or [H, W, H, W] (<see cref="Layout.Full"/>).
/// All float64. The tensors belong to the caller's dispose scope.
/// </summary>
internal sealed class KernelState
{
    readonly Tensor? _var1;

    /// <param name="shape">The stream's shape.</param>
    /// <param name="layout">Pixel pairs kept (ignored for vectors).</param>
    /// <param name="nngp">K, [R, C, ...].</param>
    /// <param name="ntk">Theta, [R, C, ...], or null for zero.</param>
    /// <param name="var1">Self moments of the rows, [R, ...]; ignored when pinned.</param>
    /// <param name="var2">Self moments of the columns, [C, ...].</param>
    /// <param name="pinned">The tile pairs rows i0.. with columns i0.. of the same inputs (x2 = x1): the pair (i, i) is
    /// an example with itself. Then <see cref="Var1"/> is the first rows of <see cref="Var2"/> and the NNGP's diagonal is
    /// copied from it after every layer, so each such pair has an exactly singular covariance (as in
    /// <c>AnalyticKernels</c>: otherwise rounding puts 1e-8 into ReLU's angle between a point and itself).</param>
    /// <param name="copyDiagonal">Whether to do that copy now (not needed when the values are already consistent).</param>
    KernelState(Shape shape, Layout layout, Tensor nngp, Tensor? ntk, Tensor? var1, Tensor var2, bool pinned, bool copyDiagonal)
    {
        Shape = shape;
        Layout = shape.IsImage ? layout : Layout.Diagonal;
        Nngp = nngp;
        Ntk = ntk;
        Var2 = var2;
        Pinned = pinned;
        _var1 = pinned ? null : var1 ?? throw new ArgumentNullException(nameof(var1));
        if (pinned && copyDiagonal) Nngp.diagonal(0, 0, 1).copy_(BatchLast(Var1));
    }

    /// <summary>The state of a tile's inputs.</summary>
    public static KernelState Create(Shape shape, Layout layout, Tensor nngp, Tensor? var1, Tensor var2, bool pinned) =>
        new(shape, layout, nngp, null, var1, var2, pinned, copyDiagonal: true);

    public Shape Shape { get; }
    public Layout Layout { get; }
    /// <summary>K(x1_i, x2_j, ...), [R, C, ...].</summary>
    public Tensor Nngp { get; }
    /// <summary>Theta(x1_i, x2_j, ...), [R, C, ...]; null while it is zero (no parameters above the network input).</summary>
    public Tensor? Ntk { get; }
    /// <summary>K(x2_j, x2_j, ...), [C, ...].</summary>
    public Tensor Var2 { get; }
    public bool Pinned { get; }
    /// <summary>K(x1_i, x1_i, ...), [R, ...].</summary>
    public Tensor Var1 => _var1 ?? Var2.narrow(0, 0, Nngp.shape[0]);

    /// <summary>The tensors this state owns (for releasing intermediate states).</summary>
    public IEnumerable<Tensor> Tensors => new[] { Nngp, Ntk, _var1, Var2 }.OfType<Tensor>();

    /// <summary>A state with new values on the same tile.</summary>
    public KernelState With(Shape shape, Layout layout, Tensor nngp, Tensor? ntk, Tensor? var1, Tensor var2) =>
        new(shape, layout, nngp, ntk, var1, var2, Pinned, copyDiagonal: true);

    /// <summary>
    /// Applies one linear map of the trailing (pixel) dimensions to every tensor: <paramref name="map"/> takes
    /// [B, ...] with all batch dimensions flattened into B and returns [B, ...new].
    /// </summary>
    public (Tensor Nngp, Tensor? Ntk, Tensor? Var1, Tensor Var2) Map(Func<Tensor, Tensor> map) =>
        (MapPairs(map, Nngp), Ntk is null ? null : MapPairs(map, Ntk), _var1 is null ? null : map(_var1), map(Var2));

    static Tensor MapPairs(Func<Tensor, Tensor> map, Tensor pairs)
    {
        var (r, c) = (pairs.shape[0], pairs.shape[1]);
        var mapped = map(pairs.flatten(0, 1));
        return mapped.reshape([r, c, .. mapped.shape.Skip(1)]);
    }

    /// <summary>This state with only what <paramref name="layout"/> keeps (the pixel diagonal of a full state); never more.</summary>
    public KernelState Conform(Layout layout)
    {
        if (!Shape.IsImage || layout == Layout) return this;
        if (layout == Layout.Full)
            throw new InvalidOperationException("A layer needs pixel-pair covariances that an earlier layer did not keep (a bug in Stax's layout requirements).");
        var (nngp, ntk, var1, var2) = Map(PixelDiagonal);
        return new KernelState(Shape, Layout.Diagonal, nngp, ntk, var1, var2, Pinned, copyDiagonal: false);
    }

    /// <summary>The per-pixel variances [B, H, W] (or [B] for vectors) of self second moments [B, ...] in this layout.</summary>
    public Tensor PixelVariances(Tensor self) => Layout == Layout.Full ? PixelDiagonal(self) : self;

    /// <summary>[B, H, W, H, W] to its pixel diagonal [B, H, W], contiguous.</summary>
    public static Tensor PixelDiagonal(Tensor full)
    {
        var (b, h, w) = (full.shape[0], full.shape[1], full.shape[2]);
        return full.reshape(b, h * w, h * w).diagonal(0, 1, 2).reshape(b, h, w).contiguous();
    }

    // [R, ...] to [..., R], the layout of torch's diagonal over the first two dimensions.
    static Tensor BatchLast(Tensor t) => t.dim() == 1 ? t : t.permute([.. Enumerable.Range(1, (int)t.dim() - 1).Select(i => (long)i), 0L]);
}
