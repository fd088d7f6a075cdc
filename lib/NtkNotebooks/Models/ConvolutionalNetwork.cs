using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NtkNotebooks.Models;

/// <summary>
/// A small convolutional network in NTK parameterization (the CNN of Figure S2): <c>depth</c> layers of
/// 3x3 convolutions (stride 1, zero padding 1) with phi, global average pooling, and a dense readout.
/// Each convolution computes (sigma_w / sqrt(9 C_in)) omega * x + sigma_b beta with omega, beta ~ N(0, 1).
/// Inputs are [N, C, H, W], or [N, C*H*W] rows (such as flattened MNIST) reshaped to <see cref="ImageShape"/>.
/// </summary>
public sealed class ConvolutionalNetwork : nn.Module<Tensor, Tensor>, INtkNetwork
{
    readonly Parameter[] _kernels;
    readonly Parameter?[] _biases;
    readonly Parameter _readout;
    readonly Parameter? _readoutBias;
    readonly Activation _activation;
    readonly double _sigmaW, _sigmaB;

    /// <param name="imageShape">(C, H, W) of one input.</param>
    /// <param name="channels">Channels of each convolution layer, e.g. [64, 64, 64].</param>
    /// <param name="outputs">k.</param>
    /// <param name="activation">phi.</param>
    /// <param name="sigmaW">sigma_w &gt; 0.</param>
    /// <param name="sigmaB">sigma_b &gt;= 0 (0: no biases).</param>
    /// <param name="seed">Initialisation seed.</param>
    /// <param name="dtype">Float64 or Float32.</param>
    /// <param name="device">CPU by default; any TorchSharp device (parameters drawn on the CPU, then moved).</param>
    public ConvolutionalNetwork((int C, int H, int W) imageShape, IReadOnlyList<int> channels, int outputs, Activation activation,
        double sigmaW = 1.0, double sigmaB = 0.0, long seed = 0, ScalarType dtype = ScalarType.Float64, Device? device = null)
        : base("ConvolutionalNetwork")
    {
        Guard.Positive(imageShape.C, "imageShape.C");
        Guard.Positive(imageShape.H, "imageShape.H");
        Guard.Positive(imageShape.W, "imageShape.W");
        ArgumentNullException.ThrowIfNull(channels);
        if (channels.Count == 0) throw new ArgumentException("channels must list at least one convolution layer.", nameof(channels));
        for (var l = 0; l < channels.Count; l++) Guard.Positive(channels[l], $"{nameof(channels)}[{l}]");
        Guard.Positive(outputs, nameof(outputs));
        Guard.Positive(sigmaW, nameof(sigmaW));
        Guard.NonNegative(sigmaB, nameof(sigmaB));
        if (dtype is not (ScalarType.Float32 or ScalarType.Float64))
            throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Expected Float32 or Float64.");

        ImageShape = imageShape;
        Channels = channels.ToArray();
        Outputs = outputs;
        DType = dtype;
        Device = Guard.Normalize(device ?? CPU);
        _activation = activation ?? throw new ArgumentNullException(nameof(activation));
        _sigmaW = sigmaW;
        _sigmaB = sigmaB;

        using var generator = new Generator((ulong)seed);
        using var _ = no_grad();
        _kernels = new Parameter[channels.Count];
        _biases = new Parameter?[channels.Count];
        var cIn = imageShape.C;
        for (var l = 0; l < channels.Count; l++)
        {
            _kernels[l] = new Parameter(randn([channels[l], cIn, 3, 3], dtype: dtype, generator: generator).to(Device));
            register_parameter($"conv{l + 1}.weight", _kernels[l]);
            if (sigmaB > 0)
            {
                _biases[l] = new Parameter(randn([channels[l]], dtype: dtype, generator: generator).to(Device));
                register_parameter($"conv{l + 1}.bias", _biases[l]!);
            }
            cIn = channels[l];
        }
        _readout = new Parameter(randn([cIn, outputs], dtype: dtype, generator: generator).to(Device));
        register_parameter("readout.weight", _readout);
        if (sigmaB > 0)
        {
            _readoutBias = new Parameter(randn([outputs], dtype: dtype, generator: generator).to(Device));
            register_parameter("readout.bias", _readoutBias);
        }
    }

    /// <summary>(C, H, W) of one input.</summary>
    public (int C, int H, int W) ImageShape { get; }
    /// <summary>Channels of each convolution layer.</summary>
    public IReadOnlyList<int> Channels { get; }
    /// <inheritdoc/>
    public int Outputs { get; }
    /// <inheritdoc/>
    public ScalarType DType { get; }
    /// <inheritdoc/>
    public Device Device { get; }
    /// <inheritdoc/>
    public long[] InputShape => [ImageShape.C, ImageShape.H, ImageShape.W];

    /// <inheritdoc/>
    public Tensor PrepareInput(Tensor x, string name) => Guard.NonEmptyFinite(ConformInput(x, name), name);

    /// <inheritdoc/>
    public Tensor ConformInput(Tensor x, string name)
    {
        ArgumentNullException.ThrowIfNull(x, name);
        var (c, h, w) = ImageShape;
        if (x.dim() == 2 && x.shape[1] == (long)c * h * w) x = x.reshape(x.shape[0], c, h, w);
        if (x.dim() != 4 || x.shape[1] != c || x.shape[2] != h || x.shape[3] != w)
            throw new ArgumentException($"{name} must have shape [N, {c}, {h}, {w}] or [N, {c * h * w}], but has shape {Guard.Shape(x)}.", name);
        Guard.OnDevice(x, Device, name, "the network's parameters");
        return x.to(DType);
    }

    /// <summary>f(x) [N, k].</summary>
    public override Tensor forward(Tensor x)
    {
        var a = ConformInput(x, nameof(x));
        var cIn = ImageShape.C;
        for (var l = 0; l < _kernels.Length; l++)
        {
            var weight = _kernels[l] * (_sigmaW / Math.Sqrt(9.0 * cIn));
            var bias = _biases[l] is { } b ? b * _sigmaB : null;
            a = _activation.Apply(nn.functional.conv2d(a, weight, bias, padding: [1, 1]));
            cIn = Channels[l];
        }
        var pooled = a.mean([2, 3]);
        var y = pooled.matmul(_readout) * (_sigmaW / Math.Sqrt(cIn));
        return _readoutBias is null ? y : y + _readoutBias * _sigmaB;
    }

    /// <inheritdoc/>
    public override string ToString() =>
        $"NTK CNN {ImageShape.C}x{ImageShape.H}x{ImageShape.W} -> conv3x3[{string.Join(", ", Channels)}] {_activation.Name} -> avgpool -> {Outputs}";
}
