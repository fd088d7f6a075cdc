using NtkNotebooks.Kernels;
using NtkNotebooks.Models;
using NtkNotebooks.Stax;
using static NtkNotebooks.Stax.Stax;
using static TorchSharp.torch;
using StaxPadding = NtkNotebooks.Stax.Padding;

namespace NtkNotebooks.Tests.Stax;

/// <summary>The structured empirical NTK of Stax networks against the per-example Jacobian contraction (JacobianNtk),
/// which shares no code with it beyond the forward pass.</summary>
public class StructuredNtkTests
{
    // Every parametric layer kind and every way a convolution reads its input, with biases, several outputs and branches.
    public static TheoryData<string> Cases => new() { "same-even-strided", "valid-pool-dense", "residual", "mlp", "standard" };

    static (Architecture Architecture, Parameterization Parameterization) Case(string name) => name switch
    {
        // An even filter with Same padding pads one pixel more after than before: the asymmetric path.
        "same-even-strided" => (Serial(Conv(3, (3, 3), (2, 2), StaxPadding.Same, 1.4, 0.2), Relu(),
            Conv(2, (2, 2), padding: StaxPadding.Same, sigmaW: 1.2), Erf(), Flatten(), Dense(3, 1.1, 0.1)).On(2, 7, 6), Parameterization.Ntk),
        "valid-pool-dense" => (Serial(Conv(4, (3, 2), sigmaW: 1.5, sigmaB: 0.3), Tanh(), AvgPool((2, 2), padding: StaxPadding.Same),
            Conv(3, (2, 2), (2, 1)), Relu(), GlobalAvgPool(), Dense(5, 1.3, 0.2), Tanh(), Dense(2, 1.2)).On(1, 8, 7), Parameterization.Ntk),
        "residual" => (Serial(Conv(3, (3, 3), padding: StaxPadding.Same, sigmaW: 1.2, sigmaB: 0.2),
            FanOut(2), Parallel(Serial(Relu(), Conv(3, (3, 3), padding: StaxPadding.Same, sigmaW: 1.3, sigmaB: 0.1)), Identity()), FanInSum(),
            Relu(), AvgPool((3, 3), (2, 2)), Flatten(), Dense(2, 1.3, 0.05)).On(2, 6, 6), Parameterization.Ntk),
        "mlp" => (Serial(Dense(7, 1.3, 0.4), Relu(), Dense(5, 1.1, 0.2), Erf(), Dense(3, 1.2, 0.1)).On(4), Parameterization.Ntk),
        "standard" => (Serial(Conv(3, (3, 3), padding: StaxPadding.Same, sigmaW: 1.4, sigmaB: 0.3), Relu(), GlobalAvgPool(), Dense(2, 1.1, 0.2))
            .On(1, 5, 5), Parameterization.Standard),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    static Tensor Inputs(Architecture architecture, int n, ulong seed)
    {
        using var g = new TorchSharp.torch.Generator(seed);
        return randn([n, .. architecture.InputShape.Select(s => (long)s)], dtype: float64, generator: g);
    }

    // Float64 throughout: both sides sum the same products in different orders (per-layer Gram products against
    // parameter-ordered slabs), so they agree to a few hundred ulps of the largest entry: 1e-12 relative.
    const double Float64Tolerance = 1e-12;

    [Theory]
    [MemberData(nameof(Cases))]
    public void EqualsTheJacobianContraction(string name)
    {
        var (architecture, parameterization) = Case(name);
        using var network = architecture.Init(seed: 3, parameterization: parameterization);
        var x1 = Inputs(architecture, 5, 1);
        var x2 = Inputs(architecture, 4, 2);
        foreach (var outputs in Enum.GetValues<KernelOutputs>())
        {
            foreach (var second in new[] { null, x2 })
            {
                var expected = JacobianNtk.Compute(network, x1, second, outputs);
                var actual = StructuredNtk.Compute(network, x1, second, outputs);
                Assert.Equal(expected.shape, actual.shape);
                var error = TestData.RelativeError(actual, expected);
                Assert.True(error < Float64Tolerance, $"{name}, {outputs}, x2 {(second is null ? "= x1" : "given")}: relative error {error:E2}");
            }
        }
    }

    [Fact]
    public void SmallMemoryBudgets_ProcessBlocksWithTheSameResult()
    {
        // A budget below one example's filter gradients forces one-example blocks (and recomputed column blocks).
        var (architecture, _) = Case("residual");
        using var network = architecture.Init(seed: 5);
        var x1 = Inputs(architecture, 5, 3);
        var x2 = Inputs(architecture, 3, 4);
        foreach (var outputs in new[] { KernelOutputs.Mean, KernelOutputs.Full })
        {
            foreach (var second in new[] { null, x2 })
            {
                var whole = StructuredNtk.Compute(network, x1, second, outputs);
                var blocked = StructuredNtk.Compute(network, x1, second, outputs, memoryBudgetBytes: 64);
                Assert.True(TestData.RelativeError(blocked, whole) < Float64Tolerance, $"{outputs}, x2 {(second is null ? "= x1" : "given")}");
            }
        }
    }

    [Fact]
    public void Float32Network_AgreesToFloat32Precision()
    {
        // Passes, per-example gradients and Gram products in float32: each is a sum of at most ~100 products here
        // (36 pixels for a filter-gradient entry, a layer's <= 84 parameters for a Gram entry, <= 81 taps in a
        // pass), so its relative error is below 100 u32 = 6e-6 of the sum of magnitudes; layers add in float64: 1e-5.
        var (architecture, _) = Case("residual");
        using var network = architecture.Init(seed: 6, dtype: ScalarType.Float32);
        var x = Inputs(architecture, 6, 5);
        var expected = JacobianNtk.Compute(network, x);
        var actual = StructuredNtk.Compute(network, x);
        Assert.Equal(ScalarType.Float64, actual.dtype);
        Assert.True(TestData.RelativeError(actual, expected) < 1e-5);
    }

    [Fact]
    public void EmpiricalNtk_ChoosesTheStructuredPath_AndTheResultIsSymmetricPsd()
    {
        var (architecture, _) = Case("same-even-strided");
        using var network = architecture.Init(seed: 8);
        var x = Inputs(architecture, 6, 6);
        var kernel = EmpiricalNtk.Compute(network, x);
        Assert.Equal(0.0, (kernel - StructuredNtk.Compute(network, x)).abs().max().item<double>());
        Assert.Equal(0.0, (kernel - kernel.T).abs().max().item<double>());
        Assert.True(TestData.Eigenvalues(kernel).Min() > -Float64Tolerance * kernel.abs().max().item<double>());
    }

    [Fact]
    public void FrozenParameters_AreRefusedWithAClearMessage()
    {
        var (architecture, _) = Case("mlp");
        using var network = architecture.Init(seed: 1);
        network.Weights[0].requires_grad = false;
        var error = Assert.Throws<InvalidOperationException>(() => StructuredNtk.Compute(network, Inputs(architecture, 2, 1)));
        Assert.Contains("require gradients", error.Message);
    }

    [Fact]
    public void BadArguments_NameTheArgument()
    {
        var (architecture, _) = Case("mlp");
        using var network = architecture.Init(seed: 1);
        var x = Inputs(architecture, 2, 1);
        Assert.Equal("memoryBudgetBytes", Assert.Throws<ArgumentOutOfRangeException>(() => StructuredNtk.Compute(network, x, memoryBudgetBytes: 0)).ParamName);
        Assert.Equal("x2", Assert.ThrowsAny<ArgumentException>(() => StructuredNtk.Compute(network, x, zeros(2, 5, float64))).ParamName);
        Assert.Equal("x1", Assert.ThrowsAny<ArgumentException>(() => StructuredNtk.Compute(network, zeros(0, 4, float64))).ParamName);
    }
}
