using NtkNotebooks.Models;

namespace NtkNotebooks.Stax;

/// <summary>
/// Architectures by composition, as neural-tangents' <c>stax</c>: each function returns an immutable layer
/// description, and <see cref="Serial"/>, <see cref="FanOut"/>, <see cref="Parallel"/> and <see cref="FanInSum"/>
/// combine them. Bind the result to an input shape with <see cref="Layer.On"/> to get an <see cref="Architecture"/>
/// whose <see cref="Architecture.Init"/> draws a finite network and whose <see cref="Architecture.Kernels"/> gives its
/// infinite-width NNGP and NTK. A wide ResNet block:
/// <code>
/// Serial(FanOut(2), Parallel(Serial(Relu(), Conv(c, (3, 3), padding: Padding.Same), Relu(), Conv(c, (3, 3), padding: Padding.Same)), Identity()), FanInSum())
/// </code>
/// Inputs are [N, d] vectors or [N, C, H, W] images (TorchSharp's NCHW); defaults follow neural-tangents (stride 1,
/// Valid padding, sigma_w = 1, sigma_b = 0 meaning no bias).
/// </summary>
public static class Stax
{
    /// <summary>A fully connected layer of <paramref name="width"/> outputs (<see cref="DenseLayer"/>).</summary>
    public static DenseLayer Dense(int width, double sigmaW = 1.0, double sigmaB = 0.0) => new(width, sigmaW, sigmaB);

    /// <summary>A convolution with <paramref name="channels"/> output channels and a (kh, kw) filter (<see cref="ConvLayer"/>).</summary>
    /// <param name="channels">C_out.</param>
    /// <param name="filter">(kh, kw).</param>
    /// <param name="stride">(vertical, horizontal); (1, 1) by default.</param>
    /// <param name="padding">Valid (default, as neural-tangents) or Same.</param>
    /// <param name="sigmaW">sigma_w &gt; 0.</param>
    /// <param name="sigmaB">sigma_b &gt;= 0 (0: no bias).</param>
    public static ConvLayer Conv(int channels, (int Height, int Width) filter, (int Height, int Width)? stride = null,
        Padding padding = Padding.Valid, double sigmaW = 1.0, double sigmaB = 0.0)
    {
        var (sh, sw) = stride ?? (1, 1);
        return new(channels, filter.Height, filter.Width, sh, sw, padding, sigmaW, sigmaB);
    }

    /// <summary>Average pooling over (wh, ww) windows (<see cref="AvgPoolLayer"/>).</summary>
    /// <param name="window">(wh, ww).</param>
    /// <param name="stride">(vertical, horizontal); (1, 1) by default, as neural-tangents (torch's default is the window).</param>
    /// <param name="padding">Valid (default) or Same.</param>
    public static AvgPoolLayer AvgPool((int Height, int Width) window, (int Height, int Width)? stride = null, Padding padding = Padding.Valid)
    {
        var (sh, sw) = stride ?? (1, 1);
        return new(window.Height, window.Width, sh, sw, padding);
    }

    /// <summary>The mean of each channel over all pixels: [N, C, H, W] to [N, C] (<see cref="GlobalAvgPoolLayer"/>).</summary>
    public static GlobalAvgPoolLayer GlobalAvgPool() => new();

    /// <summary>[N, C, H, W] to [N, C H W] (<see cref="FlattenLayer"/>).</summary>
    public static FlattenLayer Flatten() => new();

    /// <summary>phi = ReLU, with the arc-cosine kernels of PAPER.md.</summary>
    public static ElementwiseLayer Relu() => new(Models.Activation.ReLU);

    /// <summary>phi = erf, with the arcsine kernels of PAPER.md.</summary>
    public static ElementwiseLayer Erf() => new(Models.Activation.Erf);

    /// <summary>phi = tanh; kernels by Gaussian quadrature.</summary>
    public static ElementwiseLayer Tanh() => new(Models.Activation.Tanh);

    /// <summary>
    /// Any activation phi, applied elementwise (<see cref="ElementwiseLayer"/>; neural-tangents' name): closed-form kernels
    /// when it has them, else quadrature. Not called Activation, which would hide the <see cref="Models.Activation"/> type
    /// under <c>using static NtkNotebooks.Stax.Stax</c>.
    /// </summary>
    public static ElementwiseLayer Elementwise(Activation phi) => new(phi);

    /// <summary>The identity, e.g. the shortcut of a residual block (<see cref="IdentityLayer"/>).</summary>
    public static IdentityLayer Identity() => new();

    /// <summary><paramref name="count"/> copies of one stream (<see cref="FanOutLayer"/>).</summary>
    public static FanOutLayer FanOut(int count) => new(count);

    /// <summary>Branch i applied to stream i (<see cref="ParallelLayer"/>).</summary>
    public static ParallelLayer Parallel(params Layer[] branches) => new(branches);

    /// <summary>The sum of the streams (<see cref="FanInSumLayer"/>).</summary>
    public static FanInSumLayer FanInSum() => new();

    /// <summary>The layers one after another (<see cref="SerialLayer"/>).</summary>
    public static SerialLayer Serial(params Layer[] layers) => new(layers);
}
