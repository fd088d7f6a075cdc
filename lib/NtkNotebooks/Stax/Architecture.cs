using NtkNotebooks.Kernels;
using NtkNotebooks.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace NtkNotebooks.Stax;

/// <summary>
/// A network built with <see cref="Stax"/> and bound to the shape of one input example: everything needed to draw a
/// finite network (<see cref="Init"/>) and to compute its infinite-width NNGP and NTK (<see cref="Kernels"/>), two
/// faces of one description that cannot drift apart. Validated at construction: every layer fits its input shape and
/// the network ends in one vector output [k].
/// </summary>
public sealed record Architecture
{
    readonly int[] _inputShape;

    /// <param name="network">The layers, usually a <see cref="SerialLayer"/>; one stream in, one stream out.</param>
    /// <param name="inputShape">[d] for vectors, [C, H, W] for images (NCHW without the batch dimension).</param>
    /// <exception cref="ArgumentException">A bad shape, a layer that does not fit its input (the message names the
    /// layer, its position and both shapes), or an output that is not one vector [k].</exception>
    public Architecture(Layer network, params int[] inputShape)
    {
        Network = network ?? throw new ArgumentNullException(nameof(network));
        ArgumentNullException.ThrowIfNull(inputShape);
        if (inputShape.Length is not (1 or 3) || inputShape.Any(s => s <= 0))
            throw new ArgumentException(
                $"inputShape must be [d] (vectors) or [C, H, W] (images) with positive sizes, but is [{string.Join(", ", inputShape)}].", nameof(inputShape));
        if (network.InputCount is not (1 or null) || network.OutputCount != 1)
            throw new ArgumentException(
                $"A network takes one stream and gives one, but {network} takes {network.InputCount} and gives {network.OutputCount}.", nameof(network));
        _inputShape = inputShape.ToArray();
        var shape = inputShape.Length == 1 ? Shape.Vector(inputShape[0]) : Shape.Image(inputShape[0], inputShape[1], inputShape[2]);
        var inference = new Inference();
        var output = network.Infer([inference.See(Stream.Input(shape))], inference);
        if (output.Length != 1 || output[0].Shape.IsImage)
            throw new ArgumentException(
                $"The network must end in one vector output [k], but its output has shape {output[0].Shape}: end with Flatten() or GlobalAvgPool() and a Dense layer.", nameof(network));
        Input = shape;
        Outputs = output[0].Shape.Channels;
        Sites = inference.Sites;
        KernelIssue = inference.KernelIssue;
        var pixels = (long)inference.MaxPixels;
        EntriesPerPair = inference.MixesPixels ? pixels * pixels : pixels;
    }

    /// <summary>The layers.</summary>
    public Layer Network { get; }

    /// <summary>The shape of one input example: [d] or [C, H, W].</summary>
    public IReadOnlyList<int> InputShape => _inputShape;

    /// <summary>k, the number of outputs.</summary>
    public int Outputs { get; }

    /// <summary>Whether <see cref="Kernels"/> is available; when not, <see cref="KernelIssue"/> says why.</summary>
    public bool HasAnalyticKernels => KernelIssue is null;

    /// <summary>Why the infinite-width kernels of this network are not available (an activation on a non-Gaussian
    /// stream, a sum of correlated branches), or null.</summary>
    public string? KernelIssue { get; }

    internal Shape Input { get; }
    internal IReadOnlyList<ParametricSite> Sites { get; }
    /// <summary>Float64 entries per example pair of the largest kernel state (H W, or (H W)^2 with pooling).</summary>
    internal long EntriesPerPair { get; }

    /// <summary>
    /// A finite network of this architecture, initialised reproducibly from <paramref name="seed"/>: every weight and
    /// bias drawn N(0, 1) on the CPU, layer by layer in order (weight, then bias when sigma_b &gt; 0), then scaled per
    /// <paramref name="parameterization"/> and moved to <paramref name="device"/>, so a seed gives the same network on
    /// every device.
    /// </summary>
    /// <param name="seed">Initialisation seed.</param>
    /// <param name="dtype">Float64 (default) or Float32.</param>
    /// <param name="device">CPU by default.</param>
    /// <param name="parameterization">NTK (Eq 1, default) or standard (S36).</param>
    public StaxNetwork Init(long seed, ScalarType dtype = ScalarType.Float64, Device? device = null,
        Parameterization parameterization = Parameterization.Ntk) =>
        new(this, seed, dtype, device, parameterization);

    /// <summary>
    /// The infinite-width NNGP K(x1, x2) and NTK Theta(x1, x2) of the network's output in NTK parameterization, each
    /// [N1, N2] float64 on the inputs' device: the kernel of each of the k outputs (across outputs it is K (x) I_k).
    /// Dense stacks follow PAPER.md S24-S29 and give the numbers of <see cref="AnalyticKernels.Compute"/>; convolutions,
    /// pooling and branches follow the layers' remarks (Novak et al. 2019; Arora et al. 2019). The NNGP is the same in
    /// standard parameterization; its NTK is not computed here.
    /// </summary>
    /// <param name="x1">Inputs [N1, ..InputShape].</param>
    /// <param name="x2">Inputs [N2, ..InputShape], or null (or x1 itself) for x1: then only pairs with j &gt;= i are
    /// computed and mirrored, so the result is exactly symmetric.</param>
    /// <param name="quadrature">Rule for activations without closed form; <see cref="GaussianQuadrature.Default"/> if null.</param>
    /// <param name="rowBlock">Rows of x1 per tile; by default tiles hold about <see cref="AnalyticKernels.DefaultBlockPairs"/>
    /// float64 entries per tensor (example pairs times pixels or pixel pairs). Tiles never change the numbers.</param>
    /// <exception cref="NotSupportedException">The network has no analytic kernels here (<see cref="KernelIssue"/>).</exception>
    /// <exception cref="ArgumentException">Inputs of the wrong shape, empty, not finite, or on two devices.</exception>
    public KernelPair Kernels(Tensor x1, Tensor? x2 = null, GaussianQuadrature? quadrature = null, int? rowBlock = null) =>
        StaxKernels.Compute(this, x1, x2, quadrature ?? GaussianQuadrature.Default, rowBlock);

    /// <summary>Throws unless <paramref name="x"/> is [N, ..InputShape]; its values are not read.</summary>
    internal void CheckShape(Tensor x, string name)
    {
        ArgumentNullException.ThrowIfNull(x, name);
        long[] expected = [.. Input.Dimensions];
        if (x.dim() != expected.Length + 1 || !x.shape.Skip(1).SequenceEqual(expected))
            throw new ArgumentException($"{name} must have shape [N, {string.Join(", ", expected)}], but has shape {Guard.Shape(x)}.", name);
    }

    /// <summary>Value equality: the same layers on the same input shape.</summary>
    public bool Equals(Architecture? other) => other is not null && Network.Equals(other.Network) && _inputShape.SequenceEqual(other._inputShape);

    /// <inheritdoc/>
    public override int GetHashCode() => _inputShape.Aggregate(Network.GetHashCode(), HashCode.Combine);

    /// <inheritdoc/>
    public override string ToString() => $"{Network} on [{string.Join(", ", _inputShape)}]";
}
