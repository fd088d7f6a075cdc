using TorchSharp;
using static TorchSharp.torch;

namespace NtkNotebooks.Stax;

/// <summary>
/// The window geometry of a convolution or pooling layer on [H, W] images, and the maps it induces on the pixel
/// dimensions of second moments [B, H, W] (pixel diagonal) and [B, H, W, H, W] (all pixel pairs).
/// </summary>
internal sealed record Window(int Height, int Width, int StrideHeight, int StrideWidth, Padding Padding)
{
    public int Size => Height * Width;

    /// <summary>Output size and padding for an input of <paramref name="shape"/>; null when a Valid window does not fit.</summary>
    public (AxisGeometry Rows, AxisGeometry Columns)? Geometry(Shape shape) =>
        AxisGeometry.Of(shape.Height, Height, StrideHeight, Padding) is { } rows && AxisGeometry.Of(shape.Width, Width, StrideWidth, Padding) is { } columns
            ? (rows, columns)
            : null;

    /// <summary>
    /// <see cref="Geometry"/> on a layer's input, which must be an image the window fits; otherwise the inference error
    /// that names <paramref name="layer"/> and the <paramref name="what"/> ("filter", "window").
    /// </summary>
    public (AxisGeometry Rows, AxisGeometry Columns) FitOn(Shape input, Layer layer, string what, Inference inference)
    {
        if (!input.IsImage)
            throw inference.Error($"{layer} needs image inputs [C, H, W], but its input has shape {input}");
        return Geometry(input) ?? throw inference.Error(
            $"{layer}: the {Height}x{Width} {what} does not fit its input {input} without padding; use Padding.Same or a smaller {what}");
    }

    /// <summary>Zero-pads the last two dimensions of images [N, C, H, W] as this window needs.</summary>
    public Tensor PadImages(Tensor x)
    {
        var (rows, columns) = Geometry(Shape.Image(1, (int)x.shape[2], (int)x.shape[3]))!.Value;
        return rows.Before + rows.After + columns.Before + columns.After == 0
            ? x
            : nn.functional.pad(x, [columns.Before, columns.After, rows.Before, rows.After]);
    }

    /// <summary>
    /// The sum over window offsets o of the moments at the same offset from both pixels,
    /// S[b, p, p'] = sum_o M[b, s p + o, s p' + o] (and S[b, p] = sum_o M[b, s p + o] on the pixel diagonal), with zero
    /// padding: what a convolution with i.i.d. weights does to second moments (Novak et al. 2019, Eq 2-3; Arora et al.
    /// 2019, Sec 4). One strided slice per offset; the input is never unfolded.
    /// </summary>
    public Tensor SameOffsetSum(Tensor moments, Layout layout, Shape input)
    {
        var (rows, columns) = Geometry(input)!.Value;
        var full = layout == Layout.Full && input.IsImage;
        var padded = Pad(moments, rows, columns, full);
        Tensor? sum = null;
        for (var a = 0; a < Height; a++)
        for (var b = 0; b < Width; b++)
        {
            var slice = Slice(padded, 1, a, rows.Output, StrideHeight);
            slice = Slice(slice, 2, b, columns.Output, StrideWidth);
            if (full)
            {
                slice = Slice(slice, 3, a, rows.Output, StrideHeight);
                slice = Slice(slice, 4, b, columns.Output, StrideWidth);
            }
            sum = sum is null ? slice.clone() : sum.add_(slice);
        }
        return sum!;
    }

    /// <summary>
    /// For each window offset (a, b), row-major, the input value that offset reads at every output pixel of images
    /// [N, C, H, W]: [N, C, H' W'] (strided slices of the zero-padded images; together, torch's unfold, offset-major).
    /// </summary>
    public IEnumerable<Tensor> Offsets(Tensor images)
    {
        var (rows, columns) = Geometry(Shape.Image(1, (int)images.shape[2], (int)images.shape[3]))!.Value;
        var padded = PadImages(images);
        for (var a = 0; a < Height; a++)
        for (var b = 0; b < Width; b++)
            yield return Slice(Slice(padded, 2, a, rows.Output, StrideHeight), 3, b, columns.Output, StrideWidth).flatten(2);
    }

    /// <summary>
    /// Average pooling of full second moments [B, H, W, H, W]: the mean over all pairs of pixels in the two windows,
    /// P[b, p, p'] = (1/|w|^2) sum_{o, o'} M[b, s p + o, s p' + o'] (Novak et al. 2019, Sec 3; neural-tangents' AvgPool
    /// with normalize_edges = False: padded zeros count). Separable: pooled over the first pixel, then the second.
    /// </summary>
    public Tensor PairAverage(Tensor moments, Shape input)
    {
        var (rows, columns) = Geometry(input)!.Value;
        var padded = Pad(moments, rows, columns, full: true);
        var first = WindowSum(padded, 1, rows.Output, columns.Output);
        return WindowSum(first, 3, rows.Output, columns.Output).div_((double)Size * Size);
    }

    // Sum over the window at dimensions (dim, dim + 1).
    Tensor WindowSum(Tensor t, int dim, int outRows, int outColumns)
    {
        Tensor? sum = null;
        for (var a = 0; a < Height; a++)
        for (var b = 0; b < Width; b++)
        {
            var slice = Slice(Slice(t, dim, a, outRows, StrideHeight), dim + 1, b, outColumns, StrideWidth);
            sum = sum is null ? slice.clone() : sum.add_(slice);
        }
        return sum!;
    }

    static Tensor Pad(Tensor moments, AxisGeometry rows, AxisGeometry columns, bool full)
    {
        if (rows.Before + rows.After + columns.Before + columns.After == 0) return moments;
        long[] pixel = [columns.Before, columns.After, rows.Before, rows.After];
        return nn.functional.pad(moments, full ? [.. pixel, .. pixel] : pixel);
    }

    static Tensor Slice(Tensor t, int dim, int start, int count, int step) =>
        t.slice(dim, start, start + (long)(count - 1) * step + 1, step);

    public override string ToString() =>
        $"{Height}x{Width}, stride {StrideHeight}x{StrideWidth}, {Padding}";
}
