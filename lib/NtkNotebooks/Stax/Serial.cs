using static TorchSharp.torch;

namespace NtkNotebooks.Stax;

/// <summary>
/// Layers applied one after another, composing all three faces at once (neural-tangents' <c>serial</c>): the
/// parameters are those of the layers in order, the network is the composition, and the kernel map is the
/// composition of the layers' kernel maps. Each layer must take as many streams as the previous one gives.
/// </summary>
public sealed record SerialLayer : Layer
{
    readonly Layer[] _layers;

    /// <param name="layers">At least one layer.</param>
    public SerialLayer(params Layer[] layers)
    {
        ArgumentNullException.ThrowIfNull(layers);
        if (layers.Length == 0) throw new ArgumentException("Serial needs at least one layer, but got none.", nameof(layers));
        for (var i = 0; i < layers.Length; i++)
        {
            var layer = layers[i] ?? throw new ArgumentNullException($"{nameof(layers)}[{i}]");
            if (i > 0 && layer.InputCount is { } takes && takes != layers[i - 1].OutputCount)
                throw new ArgumentException(
                    $"Layer {i} of Serial ({layer}) takes {takes} stream(s), but layer {i - 1} ({layers[i - 1]}) gives {layers[i - 1].OutputCount}.",
                    $"{nameof(layers)}[{i}]");
        }
        _layers = layers.ToArray();
    }

    /// <summary>The layers, first to last.</summary>
    public IReadOnlyList<Layer> Layers => _layers;

    internal override int? InputCount => _layers[0].InputCount;
    internal override int OutputCount => _layers[^1].OutputCount;

    internal override Stream[] Infer(Stream[] inputs, Inference inference)
    {
        var streams = inputs;
        for (var i = 0; i < _layers.Length; i++)
        {
            var (layer, current) = (_layers[i], streams);
            streams = inference.At($"Serial layer {i} ({layer})", () => layer.Infer(current, inference));
        }
        return streams;
    }

    internal override Tensor[] Forward(Tensor[] inputs, ParameterCursor parameters) =>
        _layers.Aggregate(inputs, (x, layer) => layer.Forward(x, parameters));

    internal override Layout[] Require(Layout[] outputs, int inputCount)
    {
        var required = outputs;
        for (var i = _layers.Length - 1; i >= 0; i--) required = _layers[i].Require(required, Streams(i, inputCount));
        return required;
    }

    // Streams entering layer i.
    int Streams(int i, int inputCount) => i == 0 ? inputCount : _layers[i - 1].OutputCount;

    internal override KernelState[] Propagate(KernelState[] inputs, Layout[] outputs, KernelContext context)
    {
        // What each layer's outputs must carry: the requirements of everything after it.
        var required = new Layout[_layers.Length][];
        required[^1] = outputs;
        for (var i = _layers.Length - 1; i > 0; i--) required[i - 1] = _layers[i].Require(required[i], Streams(i, inputs.Length));

        var own = new HashSet<Tensor>(inputs.SelectMany(s => s.Tensors), ReferenceEqualityComparer.Instance);
        var states = inputs;
        for (var i = 0; i < _layers.Length; i++)
        {
            KernelState[] next;
            // A layer's temporaries die with its scope; its outputs move to the caller's scope.
            using (var scope = NewDisposeScope())
            {
                next = _layers[i].Propagate(states, required[i], context);
                scope.MoveToOuter(next.SelectMany(s => s.Tensors));
            }
            // The previous layer's outputs are dead unless passed through (Identity, FanOut) or owned by the caller.
            var kept = new HashSet<Tensor>(next.SelectMany(s => s.Tensors), ReferenceEqualityComparer.Instance);
            if (i > 0)
            {
                foreach (var t in states.SelectMany(s => s.Tensors).Distinct(ReferenceEqualityComparer.Instance).Cast<Tensor>())
                {
                    if (!kept.Contains(t) && !own.Contains(t)) t.Dispose();
                }
            }
            states = next;
        }
        return states;
    }

    /// <summary>Value equality: the same layers in the same order.</summary>
    public bool Equals(SerialLayer? other) => other is not null && _layers.SequenceEqual(other._layers);

    /// <inheritdoc/>
    public override int GetHashCode() => _layers.Aggregate(nameof(SerialLayer).GetHashCode(), HashCode.Combine);

    /// <inheritdoc/>
    public override string ToString() => $"Serial({string.Join(", ", _layers.Select(l => l.ToString()))})";
}
