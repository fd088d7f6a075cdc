using static TorchSharp.torch;

namespace NtkNotebooks.Stax;

/// <summary>
/// Average pooling of images over windows of wh x ww pixels moved by a stride: y[c, p] = (1/(wh ww)) sum over the
/// window of x[c, q], with padded zeros counted in the average (neural-tangents' <c>AvgPool</c> with
/// normalize_edges = False). No parameters.
/// </summary>
/// <remarks>
/// Kernel (Novak et al. 2019, Sec 3 and App. "pooling"; neural-tangents' <c>_pool_kernel</c>): a linear map applied to
/// both examples, so K'[p, p'] and Theta'[p, p'] are the averages of K and Theta over all pairs of pixels in the
/// windows of p and p'. It mixes pixel pairs, so every earlier layer keeps full pixel-by-pixel covariances
/// [N1, N2, H, W, H, W].
/// </remarks>
public sealed record AvgPoolLayer : Layer
{
    /// <param name="windowHeight">wh &gt; 0.</param>
    /// <param name="windowWidth">ww &gt; 0.</param>
    /// <param name="strideHeight">Vertical stride &gt; 0 (neural-tangents' default is 1).</param>
    /// <param name="strideWidth">Horizontal stride &gt; 0.</param>
    /// <param name="padding">Valid (default, as neural-tangents) or Same (zero padding, zeros averaged in).</param>
    public AvgPoolLayer(int windowHeight, int windowWidth, int strideHeight = 1, int strideWidth = 1, Padding padding = Padding.Valid)
    {
        Guard.Positive(windowHeight, nameof(windowHeight));
        Guard.Positive(windowWidth, nameof(windowWidth));
        Guard.Positive(strideHeight, nameof(strideHeight));
        Guard.Positive(strideWidth, nameof(strideWidth));
        if (!Enum.IsDefined(padding)) throw new ArgumentOutOfRangeException(nameof(padding), padding, "Expected Padding.Same or Padding.Valid.");
        Pool = new Window(windowHeight, windowWidth, strideHeight, strideWidth, padding);
    }

    /// <summary>(wh, ww).</summary>
    public (int Height, int Width) WindowShape => (Pool.Height, Pool.Width);
    /// <summary>(vertical, horizontal) stride.</summary>
    public (int Height, int Width) Stride => (Pool.StrideHeight, Pool.StrideWidth);
    /// <summary>Same or Valid.</summary>
    public Padding Padding => Pool.Padding;

    internal Window Pool { get; }

    internal override Stream Infer(Stream input, Inference inference)
    {
        var geometry = Pool.FitOn(input.Shape, this, "window", inference);
        inference.MixesPixels = true;
        return input with { Shape = Shape.Image(input.Shape.Channels, geometry.Rows.Output, geometry.Columns.Output) };
    }

    internal override Tensor Forward(Tensor input, ParameterCursor parameters) =>
        nn.functional.avg_pool2d(Pool.PadImages(input), [Pool.Height, Pool.Width], [Pool.StrideHeight, Pool.StrideWidth]);

    internal override Layout Require(Layout output) => Layout.Full;

    internal override KernelState Propagate(KernelState input, Layout output, KernelContext context)
    {
        var (nngp, ntk, var1, var2) = input.Map(m => Pool.PairAverage(m, input.Shape));
        var (rows, columns) = Pool.Geometry(input.Shape)!.Value;
        return input.With(Shape.Image(input.Shape.Channels, rows.Output, columns.Output), Layout.Full, nngp, ntk, var1, var2);
    }

    /// <inheritdoc/>
    public override string ToString() => $"AvgPool({Pool})";
}

/// <summary>
/// Global average pooling of images [N, C, H, W] to vectors [N, C]: the mean of each channel over all pixels. No
/// parameters.
/// </summary>
/// <remarks>
/// Kernel (Novak et al. 2019, Sec 3.2 "global average pooling"; Arora et al. 2019, Sec 4 "CNN-GAP"): the mean of
/// K[p, p'] and Theta[p, p'] over all pixel pairs. Earlier layers therefore keep full pixel-by-pixel covariances.
/// </remarks>
public sealed record GlobalAvgPoolLayer : Layer
{
    internal override Stream Infer(Stream input, Inference inference)
    {
        if (!input.Shape.IsImage)
            throw inference.Error($"{this} needs image inputs [C, H, W], but its input has shape {input.Shape}");
        inference.MixesPixels = true;
        return input with { Shape = Shape.Vector(input.Shape.Channels) };
    }

    internal override Tensor Forward(Tensor input, ParameterCursor parameters) => input.mean([2, 3]);

    internal override Layout Require(Layout output) => Layout.Full;

    internal override KernelState Propagate(KernelState input, Layout output, KernelContext context)
    {
        var (nngp, ntk, var1, var2) = input.Map(m => m.mean([1, 2, 3, 4]));
        return input.With(Shape.Vector(input.Shape.Channels), Layout.Diagonal, nngp, ntk, var1, var2);
    }

    /// <inheritdoc/>
    public override string ToString() => "GlobalAvgPool";
}

/// <summary>
/// Flattens images [N, C, H, W] to vectors [N, C H W] (channel-major, TorchSharp's memory order); vectors pass
/// unchanged. No parameters.
/// </summary>
/// <remarks>
/// Kernel (neural-tangents' <c>Flatten</c>; Novak et al. 2019, Sec 3.1 "vectorization"): the mean over pixels of the
/// pixel diagonal, K' = (1/(H W)) sum_p K[p, p], and the same for Theta. A Dense layer on top then sees
/// sigma_w^2 / (C H W) sum_{c, p} z[c, p] z'[c, p] + sigma_b^2, whose limit is sigma_w^2 K' + sigma_b^2: the
/// 1/fan-in of the Dense layer counts every pixel. Only the pixel diagonal is needed, so earlier layers keep no
/// pixel pairs. The features of a flattened image do not share one covariance (each pixel has its own), so an
/// activation right after Flatten has no kernel here (as in neural-tangents).
/// </remarks>
public sealed record FlattenLayer : Layer
{
    internal override Stream Infer(Stream input, Inference inference) =>
        !input.Shape.IsImage ? input
            : input with { Shape = Shape.Vector(input.Shape.Size), Gaussian = input.Gaussian && input.Shape.Pixels == 1 };

    internal override Tensor Forward(Tensor input, ParameterCursor parameters) => input.dim() == 2 ? input : input.flatten(1);

    internal override Layout Require(Layout output) => Layout.Diagonal;

    internal override KernelState Propagate(KernelState input, Layout output, KernelContext context)
    {
        if (!input.Shape.IsImage) return input;
        var state = input.Conform(Layout.Diagonal);
        var (nngp, ntk, var1, var2) = state.Map(m => m.mean([1, 2]));
        return state.With(Shape.Vector(state.Shape.Size), Layout.Diagonal, nngp, ntk, var1, var2);
    }

    /// <inheritdoc/>
    public override string ToString() => "Flatten";
}
