using NtkNotebooks.Kernels;
using static TorchSharp.torch;

namespace NtkNotebooks.Stax;

/// <summary>
/// One layer, or a composition of layers, described once with the three faces of neural-tangents' stax layers:
/// the parameters it draws (<see cref="Architecture.Init"/>), the finite network it computes, and the transformation
/// of infinite-width kernels it induces (<see cref="Architecture.Kernels"/>). Build layers with <see cref="Stax"/> and
/// bind them to an input shape with <see cref="On"/>. Layers are immutable values; the same layer may appear several
/// times in a network, and every appearance gets its own parameters.
/// </summary>
public abstract record Layer
{
    private protected Layer() { }

    /// <summary>The architecture of this layer applied to examples of shape <paramref name="inputShape"/>: [d] for
    /// vectors, [C, H, W] for images (NCHW without the batch dimension).</summary>
    /// <exception cref="ArgumentException">The shape is not [d] or [C, H, W] with positive sizes, or a layer does not
    /// fit the shape of its input (the message names the layer and the expected and actual shapes).</exception>
    public Architecture On(params int[] inputShape) => new(this, inputShape);

    /// <summary>Streams consumed: 1, or null for any number (FanInSum).</summary>
    internal virtual int? InputCount => 1;

    /// <summary>Streams produced.</summary>
    internal virtual int OutputCount => 1;

    /// <summary>Checks the layer against its input streams and describes its outputs (the structural pass).</summary>
    internal virtual Stream[] Infer(Stream[] inputs, Inference inference) => [inference.See(Infer(inputs[0], inference))];

    /// <summary>The finite network: outputs from inputs, taking parameters from <paramref name="parameters"/> in the
    /// order of <see cref="Inference.Sites"/>.</summary>
    internal virtual Tensor[] Forward(Tensor[] inputs, ParameterCursor parameters) => [Forward(inputs[0], parameters)];

    /// <summary>The layouts the inputs must carry so the outputs can carry <paramref name="outputs"/>.</summary>
    internal virtual Layout[] Require(Layout[] outputs, int inputCount) => [Require(outputs[0])];

    /// <summary>The kernel transformation of this layer, producing states in the layouts <paramref name="outputs"/>.</summary>
    internal virtual KernelState[] Propagate(KernelState[] inputs, Layout[] outputs, KernelContext context) =>
        [Propagate(inputs[0], outputs[0], context).Conform(outputs[0])];

    internal virtual Stream Infer(Stream input, Inference inference) => throw new NotSupportedException();
    internal virtual Tensor Forward(Tensor input, ParameterCursor parameters) => throw new NotSupportedException();
    internal virtual Layout Require(Layout output) => output;
    internal virtual KernelState Propagate(KernelState input, Layout output, KernelContext context) => throw new NotSupportedException();
}

/// <summary>What a kernel pass needs besides the states: the quadrature rule for activations without closed forms.</summary>
internal sealed record KernelContext(GaussianQuadrature Quadrature);

/// <summary>Hands a network's parameters to its layers in the order they were drawn; when given a trace list, the
/// layers also record what their parameters acted on (for the structured NTK).</summary>
internal sealed class ParameterCursor(IReadOnlyList<BoundParameters> parameters, List<SiteActivity>? trace = null)
{
    int _next;

    /// <summary>Records one Dense or Conv layer's input and output when tracing.</summary>
    public void Record(SiteActivity activity) => trace?.Add(activity);

    public BoundParameters Next() => _next < parameters.Count
        ? parameters[_next++]
        : throw new InvalidOperationException("The network has fewer parameter sets than its layers use (a bug in Stax).");

    public void CheckAllUsed()
    {
        if (_next != parameters.Count)
            throw new InvalidOperationException($"The forward pass used {_next} of {parameters.Count} parameter sets (a bug in Stax).");
    }
}

/// <summary>The parameters of one Dense or Conv layer and the factors of Eq 1 (NTK) or S36 (standard, factors 1).</summary>
internal sealed record BoundParameters(TorchSharp.Modules.Parameter Weight, TorchSharp.Modules.Parameter? Bias, double WeightScale, double BiasScale);

/// <summary>
/// One Dense or Conv layer's forward values in a traced pass: <see cref="Input"/> is what the weights multiply ([N, d],
/// or the images [N, C, H, W] a convolution slides <see cref="Filter"/> over) and <see cref="Output"/> is h [N, width]
/// or [N, C_out, H', W']. <see cref="Filter"/> is null for Dense.
/// </summary>
internal sealed record SiteActivity(BoundParameters Parameters, Tensor Input, Tensor Output, Window? Filter);
