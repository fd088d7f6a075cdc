using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NtkNotebooks.Models;

/// <summary>
/// A finite fully connected network on TorchSharp, in NTK (Eq 1) or standard (S36) parameterization.
/// Layer l computes h^l = a_l x^{l-1} W^l + c_l b^l with trained parameters W^l [n_{l-1}, n_l] and b^l [n_l];
/// NTK: a_l = sigma_w / sqrt(n_{l-1}), c_l = sigma_b, W, b ~ N(0, 1); standard: a_l = c_l = 1,
/// W ~ N(0, sigma_w^2 / n_{l-1}), b ~ N(0, sigma_b^2).
/// </summary>
public sealed class FullyConnectedNetwork : nn.Module<Tensor, Tensor>, INtkNetwork
{
    readonly Parameter[] _weights;
    readonly Parameter?[] _biases;
    readonly double[] _weightScales, _biasScales;

    /// <summary>Builds and initialises the network reproducibly from <paramref name="seed"/>.</summary>
    /// <param name="architecture">Widths, activation, sigmas, parameterization.</param>
    /// <param name="seed">Seed of the initialisation; the same seed gives the same parameters on every machine.</param>
    /// <param name="dtype">Float64 (default, for kernel algebra) or Float32 (faster training).</param>
    /// <param name="device">CPU by default; any TorchSharp device (notebooks pass <c>Course.Device</c>). The parameters are
    /// drawn on the CPU from <paramref name="seed"/> and then moved, so a seed gives the same network on every device.</param>
    public FullyConnectedNetwork(FullyConnectedArchitecture architecture, long seed = 0, ScalarType dtype = ScalarType.Float64, Device? device = null)
        : base("FullyConnectedNetwork")
    {
        Architecture = architecture ?? throw new ArgumentNullException(nameof(architecture));
        if (dtype is not (ScalarType.Float32 or ScalarType.Float64))
            throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Expected Float32 or Float64.");
        Device = Guard.Normalize(device ?? CPU);
        DType = dtype;

        var widths = architecture.LayerWidths;
        var layers = widths.Count - 1;
        _weights = new Parameter[layers];
        _biases = new Parameter?[layers];
        _weightScales = new double[layers];
        _biasScales = new double[layers];
        using var generator = new Generator((ulong)seed);
        var ntk = architecture.Parameterization == Parameterization.Ntk;
        for (var l = 0; l < layers; l++)
        {
            var fanIn = widths[l];
            var weightStd = architecture.SigmaW / Math.Sqrt(fanIn);
            _weightScales[l] = ntk ? weightStd : 1.0;
            _biasScales[l] = ntk ? architecture.SigmaB : 1.0;
            using (no_grad())
            {
                var w = randn([fanIn, widths[l + 1]], dtype: dtype, generator: generator);
                if (!ntk) w.mul_(weightStd);
                _weights[l] = new Parameter(w.to(Device), requires_grad: true);
                register_parameter($"W{l + 1}", _weights[l]);
                if (architecture.UseBias)
                {
                    var b = randn([widths[l + 1]], dtype: dtype, generator: generator);
                    if (!ntk) b.mul_(architecture.SigmaB);
                    _biases[l] = new Parameter(b.to(Device), requires_grad: true);
                    register_parameter($"b{l + 1}", _biases[l]!);
                }
            }
        }
    }

    /// <summary>The architecture this network instantiates.</summary>
    public FullyConnectedArchitecture Architecture { get; }
    /// <inheritdoc/>
    public Device Device { get; }
    /// <inheritdoc/>
    public ScalarType DType { get; }
    /// <inheritdoc/>
    public int Outputs => Architecture.Outputs;
    /// <inheritdoc/>
    public long[] InputShape => [Architecture.InputDim];

    /// <summary>a_l: the factor multiplying x^{l-1} W^l in layer l (index 0 is the first layer).</summary>
    public IReadOnlyList<double> WeightScales => _weightScales;
    /// <summary>c_l: the factor multiplying b^l.</summary>
    public IReadOnlyList<double> BiasScales => _biasScales;
    /// <summary>The trained weight matrices W^1 .. W^{L+1}.</summary>
    public IReadOnlyList<Parameter> Weights => _weights;
    /// <summary>The trained biases b^1 .. b^{L+1}, or nulls when the network has none.</summary>
    public IReadOnlyList<Parameter?> Biases => _biases;
    /// <summary>Number of layers with parameters (L + 1).</summary>
    public int LayerCount => _weights.Length;

    /// <summary>f(x) for inputs [N, n_0]; returns [N, k].</summary>
    public override Tensor forward(Tensor x)
    {
        var h = ConformInput(x, nameof(x));
        for (var l = 0; l < _weights.Length; l++)
        {
            if (l > 0) h = Architecture.Activation.Apply(h);
            h = Affine(l, h);
        }
        return h;
    }

    /// <inheritdoc/>
    public Tensor ConformInput(Tensor x, string name)
    {
        Guard.MatrixShape(x, Architecture.InputDim, name);
        Guard.OnDevice(x, Device, name, "the network's parameters");
        return x.to(DType);
    }

    /// <inheritdoc/>
    public Tensor PrepareInput(Tensor x, string name) => Guard.NonEmptyFinite(ConformInput(x, name), name);

    /// <summary>h = a_l x W^l + c_l b^l.</summary>
    internal Tensor Affine(int layer, Tensor x)
    {
        var h = x.matmul(_weights[layer]);
        if (WeightScales[layer] != 1.0) h = h.mul(WeightScales[layer]);
        var b = _biases[layer];
        return b is null ? h : h.add(b, alpha: BiasScales[layer]);
    }

    /// <summary>
    /// One forward pass that keeps, for every layer l = 1..L+1, its input x^{l-1} and (hidden layers) its
    /// pre-activation h^l: what the structured NTK and the tangent propagation need.
    /// </summary>
    internal (Tensor[] LayerInputs, Tensor[] PreActivations, Tensor Output) Trace(Tensor x)
    {
        var inputs = new Tensor[_weights.Length];
        var pre = new Tensor[_weights.Length - 1];
        var a = x;
        for (var l = 0; l < _weights.Length; l++)
        {
            inputs[l] = a;
            var h = Affine(l, a);
            if (l == _weights.Length - 1) return (inputs, pre, h);
            pre[l] = h;
            a = Architecture.Activation.Apply(h);
        }
        throw new InvalidOperationException("unreachable");
    }

    /// <summary>Features of the last hidden layer, x^L [N, n_L] (the inputs of the readout layer).</summary>
    public Tensor LastHiddenFeatures(Tensor x)
    {
        using var _ = no_grad();
        var a = PrepareInput(x, nameof(x));
        for (var l = 0; l < _weights.Length - 1; l++)
            a = Architecture.Activation.Apply(Affine(l, a));
        return a;
    }

    /// <inheritdoc/>
    public override string ToString() => Architecture.ToString();
}
