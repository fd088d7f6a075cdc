using static TorchSharp.torch;

namespace NtkNotebooks.Stax;

/// <summary>
/// A two-dimensional convolution of images [N, C_in, H, W] to [N, C_out, H', W'] with weight sharing (a CNN layer):
/// h = w * x + b with filters w [C_out, C_in, kh, kw]. NTK parameterization (Eq 1 with fan-in n = C_in kh kw):
/// w = (sigma_w / sqrt(C_in kh kw)) omega, b = sigma_b beta, omega, beta ~ N(0, 1); standard parameterization (S36):
/// w ~ N(0, sigma_w^2 / (C_in kh kw)), b ~ N(0, sigma_b^2). No bias when sigma_b = 0.
/// </summary>
/// <remarks>
/// Kernel (the CNN-GP of Novak et al. 2019, Eq 2-3, and the CNTK of Arora et al. 2019, Sec 4, both in NTK
/// parameterization as neural-tangents' <c>Conv</c>): with Sigma[x, x', p, p'] the input's second moments averaged
/// over channels,
/// <code>
/// K'[p, p'] = (sigma_w^2 / (kh kw)) sum_o Sigma[s p + o, s p' + o] + sigma_b^2
/// Theta'[p, p'] = (sigma_w^2 / (kh kw)) sum_o Theta[s p + o, s p' + o] + K'[p, p']
/// </code>
/// summed over the kh kw filter offsets o, with zero padding for <see cref="Padding.Same"/>. Only pixel pairs at
/// the same relative position contribute, so the pixel diagonal maps to itself: without later pooling only
/// Sigma[p, p] is computed. A 1x1 convolution of 1x1 images is a Dense layer, kernels included.
/// </remarks>
public sealed record ConvLayer : Layer
{
    /// <param name="channels">C_out &gt; 0.</param>
    /// <param name="filterHeight">kh &gt; 0.</param>
    /// <param name="filterWidth">kw &gt; 0.</param>
    /// <param name="strideHeight">Vertical stride &gt; 0.</param>
    /// <param name="strideWidth">Horizontal stride &gt; 0.</param>
    /// <param name="padding">Same (zero padding) or Valid.</param>
    /// <param name="sigmaW">sigma_w &gt; 0.</param>
    /// <param name="sigmaB">sigma_b &gt;= 0 (0: no bias).</param>
    public ConvLayer(int channels, int filterHeight, int filterWidth, int strideHeight = 1, int strideWidth = 1,
        Padding padding = Padding.Valid, double sigmaW = 1.0, double sigmaB = 0.0)
    {
        Guard.Positive(channels, nameof(channels));
        Guard.Positive(filterHeight, nameof(filterHeight));
        Guard.Positive(filterWidth, nameof(filterWidth));
        Guard.Positive(strideHeight, nameof(strideHeight));
        Guard.Positive(strideWidth, nameof(strideWidth));
        if (!Enum.IsDefined(padding)) throw new ArgumentOutOfRangeException(nameof(padding), padding, "Expected Padding.Same or Padding.Valid.");
        Guard.Positive(sigmaW, nameof(sigmaW));
        Guard.NonNegative(sigmaB, nameof(sigmaB));
        Channels = channels;
        Filter = new Window(filterHeight, filterWidth, strideHeight, strideWidth, padding);
        SigmaW = sigmaW;
        SigmaB = sigmaB;
    }

    /// <summary>C_out.</summary>
    public int Channels { get; }
    /// <summary>(kh, kw).</summary>
    public (int Height, int Width) FilterShape => (Filter.Height, Filter.Width);
    /// <summary>(vertical, horizontal) stride.</summary>
    public (int Height, int Width) Stride => (Filter.StrideHeight, Filter.StrideWidth);
    /// <summary>Same or Valid.</summary>
    public Padding Padding => Filter.Padding;
    /// <summary>sigma_w.</summary>
    public double SigmaW { get; }
    /// <summary>sigma_b (0: no bias).</summary>
    public double SigmaB { get; }

    internal Window Filter { get; }

    internal override Stream Infer(Stream input, Inference inference)
    {
        var (rows, columns) = Filter.FitOn(input.Shape, this, "filter", inference);
        var fanIn = input.Shape.Channels * Filter.Size;
        var id = inference.AddSite(new ParametricSite("Conv", [Channels, input.Shape.Channels, Filter.Height, Filter.Width], fanIn, Channels, SigmaW, SigmaB));
        return new Stream(Shape.Image(Channels, rows.Output, columns.Output), Gaussian: true, input.Dependencies.Add(id), [id]);
    }

    internal override Tensor Forward(Tensor input, ParameterCursor parameters)
    {
        var p = parameters.Next();
        var weight = p.WeightScale == 1.0 ? p.Weight : p.Weight * p.WeightScale;
        var bias = p.Bias is null ? null : p.BiasScale == 1.0 ? p.Bias : p.Bias * p.BiasScale;
        var (rows, columns) = Filter.Geometry(Shape.Image(1, (int)input.shape[2], (int)input.shape[3]))!.Value;
        long[] strides = [Filter.StrideHeight, Filter.StrideWidth];
        // torch pads symmetrically; an even filter with Same padding pads one pixel more after (Padding.Same).
        var h = rows.Before == rows.After && columns.Before == columns.After
            ? nn.functional.conv2d(input, weight, bias, strides, [rows.Before, columns.Before])
            : nn.functional.conv2d(Filter.PadImages(input), weight, bias, strides);
        parameters.Record(new SiteActivity(p, input, h, Filter));
        return h;
    }

    internal override KernelState Propagate(KernelState input, Layout output, KernelContext context)
    {
        var state = input.Conform(output);
        var (scale, sb2) = (SigmaW * SigmaW / Filter.Size, SigmaB * SigmaB);
        var (nngp, ntk, var1, var2) = state.Map(m => Filter.SameOffsetSum(m, state.Layout, state.Shape));
        nngp = nngp.mul_(scale).add_(sb2);
        ntk = ntk is null ? nngp : ntk.mul_(scale).add_(nngp);
        var (rows, columns) = Filter.Geometry(state.Shape)!.Value;
        return state.With(Shape.Image(Channels, rows.Output, columns.Output), state.Layout, nngp, ntk,
            var1?.mul_(scale).add_(sb2), var2.mul_(scale).add_(sb2));
    }

    /// <inheritdoc/>
    public override string ToString() => $"Conv({Channels}, {Filter}, sigmaW={SigmaW:G4}, sigmaB={SigmaB:G4})";
}
