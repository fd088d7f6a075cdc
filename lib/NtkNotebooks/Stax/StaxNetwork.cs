using NtkNotebooks.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NtkNotebooks.Stax;

/// <summary>
/// The finite network of an <see cref="Architecture"/> on TorchSharp: a module mapping inputs [N, ..InputShape]
/// ([N, d] or [N, C, H, W]) to outputs [N, k], usable wherever the library takes an <see cref="INtkNetwork"/>
/// (<c>EmpiricalNtk</c>, <c>JacobianNtk</c>, <c>EmpiricalNngp.MonteCarlo</c>, linearization, training).
/// Each Dense or Conv layer l has a weight <c>W{l}</c> and, when sigma_b &gt; 0, a bias <c>b{l}</c>, numbered in
/// the order of the layers; layer l computes a_l (x W) + c_l b (Dense) or (a_l W) * x + c_l b (Conv) with
/// a_l = sigma_w / sqrt(fan_in), c_l = sigma_b in NTK parameterization (Eq 1) and a_l = c_l = 1 in standard
/// parameterization (S36), where the parameters are drawn with those scales instead.
/// </summary>
public sealed class StaxNetwork : nn.Module<Tensor, Tensor>, INtkNetwork
{
    readonly BoundParameters[] _layers;

    internal StaxNetwork(Architecture architecture, long seed, ScalarType dtype, Device? device, Parameterization parameterization)
        : base("StaxNetwork")
    {
        Architecture = architecture ?? throw new ArgumentNullException(nameof(architecture));
        if (dtype is not (ScalarType.Float32 or ScalarType.Float64))
            throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Expected Float32 or Float64.");
        if (!Enum.IsDefined(parameterization))
            throw new ArgumentOutOfRangeException(nameof(parameterization), parameterization, "Expected Ntk or Standard.");
        Device = Guard.Normalize(device ?? CPU);
        DType = dtype;
        Parameterization = parameterization;

        var ntk = parameterization == Parameterization.Ntk;
        using var generator = new Generator((ulong)seed);
        using var _ = no_grad();
        _layers = new BoundParameters[architecture.Sites.Count];
        for (var l = 0; l < _layers.Length; l++)
        {
            var site = architecture.Sites[l];
            var weightStd = site.SigmaW / Math.Sqrt(site.FanIn);
            var w = randn(site.WeightShape, dtype: dtype, generator: generator);
            if (!ntk) w.mul_(weightStd);
            var weight = new Parameter(w.to(Device), requires_grad: true);
            register_parameter($"W{l + 1}", weight);
            Parameter? bias = null;
            if (site.HasBias)
            {
                var b = randn([site.Outputs], dtype: dtype, generator: generator);
                if (!ntk) b.mul_(site.SigmaB);
                bias = new Parameter(b.to(Device), requires_grad: true);
                register_parameter($"b{l + 1}", bias);
            }
            _layers[l] = new BoundParameters(weight, bias, ntk ? weightStd : 1.0, ntk ? site.SigmaB : 1.0);
        }
    }

    /// <summary>The architecture this network instantiates.</summary>
    public Architecture Architecture { get; }
    /// <summary>NTK (Eq 1) or standard (S36).</summary>
    public Parameterization Parameterization { get; }
    /// <inheritdoc/>
    public int Outputs => Architecture.Outputs;
    /// <inheritdoc/>
    public long[] InputShape => Architecture.Input.Dimensions;
    /// <inheritdoc/>
    public ScalarType DType { get; }
    /// <inheritdoc/>
    public Device Device { get; }

    /// <summary>The weights of the Dense and Conv layers in order: [fan_in, width] and [C_out, C_in, kh, kw].</summary>
    public IReadOnlyList<Parameter> Weights => _layers.Select(l => l.Weight).ToArray();
    /// <summary>Their biases, or nulls for layers without (sigma_b = 0).</summary>
    public IReadOnlyList<Parameter?> Biases => _layers.Select(l => l.Bias).ToArray();
    /// <summary>a_l: the factor multiplying each weight in the forward pass.</summary>
    public IReadOnlyList<double> WeightScales => _layers.Select(l => l.WeightScale).ToArray();
    /// <summary>c_l: the factor multiplying each bias in the forward pass.</summary>
    public IReadOnlyList<double> BiasScales => _layers.Select(l => l.BiasScale).ToArray();

    /// <summary>f(x) [N, k].</summary>
    public override Tensor forward(Tensor x) => Run(x, trace: null);

    /// <summary>f(x) [N, k] with every Dense and Conv layer's input and output, in the order of the parameters.</summary>
    internal (Tensor Output, IReadOnlyList<SiteActivity> Sites) Trace(Tensor x)
    {
        var trace = new List<SiteActivity>(_layers.Length);
        return (Run(x, trace), trace);
    }

    Tensor Run(Tensor x, List<SiteActivity>? trace)
    {
        var input = ConformInput(x, nameof(x));
        var cursor = new ParameterCursor(_layers, trace);
        var output = Architecture.Network.Forward([input], cursor)[0];
        cursor.CheckAllUsed();
        return output;
    }

    /// <inheritdoc/>
    public Tensor ConformInput(Tensor x, string name)
    {
        Architecture.CheckShape(x, name);
        Guard.OnDevice(x, Device, name, "the network's parameters");
        return x.to(DType);
    }

    /// <inheritdoc/>
    public Tensor PrepareInput(Tensor x, string name) => Guard.NonEmptyFinite(ConformInput(x, name), name);

    /// <inheritdoc/>
    public override string ToString() => $"{Parameterization} {Architecture}";
}
