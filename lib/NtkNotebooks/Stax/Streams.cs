using System.Collections.Immutable;

namespace NtkNotebooks.Stax;

/// <summary>The shape of one example on a stream: a vector [d] (<see cref="IsImage"/> false) or an image [C, H, W].</summary>
internal readonly record struct Shape(int Channels, int Height, int Width, bool IsImage)
{
    public static Shape Vector(int features) => new(features, 1, 1, false);
    public static Shape Image(int channels, int height, int width) => new(channels, height, width, true);

    /// <summary>H W for an image, 1 for a vector.</summary>
    public int Pixels => Height * Width;

    /// <summary>Entries of one example: C H W or d.</summary>
    public int Size => Channels * Height * Width;

    public long[] Dimensions => IsImage ? [Channels, Height, Width] : [Channels];

    public override string ToString() => IsImage ? $"[{Channels}, {Height}, {Width}]" : $"[{Channels}]";
}

/// <summary>
/// What the structural pass knows about a stream of values between layers. <see cref="Gaussian"/>: at infinite width
/// every feature is a centred Gaussian process whose covariance the kernel state describes (outputs of Dense and Conv,
/// and linear maps of them). <see cref="Dependencies"/>: the random layers upstream. <see cref="Fresh"/>: when the value
/// is a sum of linear images of the outputs of these random layers (each W u + b with W, b zero-mean and drawn for that
/// layer alone), their ids; null when the value has any other part (the network input, an activation's output).
/// </summary>
internal sealed record Stream(Shape Shape, bool Gaussian, ImmutableHashSet<int> Dependencies, ImmutableHashSet<int>? Fresh)
{
    public static Stream Input(Shape shape) => new(shape, false, [], null);
}

/// <summary>A layer with trained parameters, in the order the parameters are drawn and used.</summary>
/// <param name="Kind">"Dense" or "Conv".</param>
/// <param name="WeightShape">[fan_in, width] for Dense, [C_out, C_in, kh, kw] for Conv.</param>
/// <param name="FanIn">n_in of the parameterization: the input width, or C_in kh kw.</param>
/// <param name="Outputs">Width or output channels (the bias length).</param>
/// <param name="SigmaW">sigma_w.</param>
/// <param name="SigmaB">sigma_b (0: no bias).</param>
internal sealed record ParametricSite(string Kind, long[] WeightShape, int FanIn, int Outputs, double SigmaW, double SigmaB)
{
    public bool HasBias => SigmaB > 0;
}

/// <summary>The structural pass over a layer tree: shapes, parameter sites, and what the analytic kernels can represent.</summary>
internal sealed class Inference
{
    readonly List<string> _path = [];
    readonly List<ParametricSite> _sites = [];
    int _layers;

    public IReadOnlyList<ParametricSite> Sites => _sites;

    /// <summary>The first reason the infinite-width kernels of this network are not available, or null.</summary>
    public string? KernelIssue { get; private set; }

    /// <summary>The largest H W of any image stream.</summary>
    public int MaxPixels { get; private set; } = 1;

    /// <summary>Whether a layer averages over pixel pairs (AvgPool, GlobalAvgPool), so full pixel-by-pixel covariances are kept.</summary>
    public bool MixesPixels { get; set; }

    public string Path => _path.Count == 0 ? "the network" : string.Join(" > ", _path);

    public T At<T>(string step, Func<T> body)
    {
        _path.Add(step);
        try { return body(); }
        finally { _path.RemoveAt(_path.Count - 1); }
    }

    /// <summary>Registers a parametric layer and returns its id (unique in the tree, in traversal order).</summary>
    public int AddSite(ParametricSite site)
    {
        _sites.Add(site);
        return ++_layers;
    }

    public Stream See(Stream stream)
    {
        if (stream.Shape.IsImage) MaxPixels = Math.Max(MaxPixels, stream.Shape.Pixels);
        return stream;
    }

    public ArgumentException Error(string message) => new($"{message} (at {Path})", "network");

    public void Issue(string message) => KernelIssue ??= $"{message} (at {Path})";
}
