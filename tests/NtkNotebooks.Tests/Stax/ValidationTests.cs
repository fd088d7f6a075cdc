using NtkNotebooks.Kernels;
using NtkNotebooks.Stax;
using TorchSharp;
using static NtkNotebooks.Stax.Stax;
using static TorchSharp.torch;
using Phi = NtkNotebooks.Models.Activation;
using StaxPadding = NtkNotebooks.Stax.Padding;

namespace NtkNotebooks.Tests.Stax;

/// <summary>Bad descriptions and bad inputs fail early, naming the argument, what was expected and what was given.</summary>
public class ValidationTests
{
    [Fact]
    public void LayerArguments_AreCheckedAtConstruction()
    {
        var width = Assert.Throws<ArgumentOutOfRangeException>(() => Dense(0));
        Assert.Equal("width", width.ParamName);
        Assert.Equal(0.0, width.ActualValue);
        Assert.Equal("sigmaW", Assert.Throws<ArgumentOutOfRangeException>(() => Dense(3, sigmaW: 0)).ParamName);
        Assert.Equal("sigmaB", Assert.Throws<ArgumentOutOfRangeException>(() => Conv(3, (3, 3), sigmaB: -1)).ParamName);
        Assert.Equal("filterWidth", Assert.Throws<ArgumentOutOfRangeException>(() => Conv(3, (3, 0))).ParamName);
        Assert.Equal("strideHeight", Assert.Throws<ArgumentOutOfRangeException>(() => AvgPool((2, 2), (0, 1))).ParamName);
        Assert.Equal("padding", Assert.Throws<ArgumentOutOfRangeException>(() => Conv(3, (3, 3), padding: (StaxPadding)7)).ParamName);
        Assert.Equal("count", Assert.Throws<ArgumentOutOfRangeException>(() => FanOut(0)).ParamName);
        Assert.Equal("layers", Assert.Throws<ArgumentException>(() => Serial()).ParamName);
        Assert.Throws<ArgumentNullException>(() => Elementwise(null!));

        // Stream counts are structural: checked before any shape is known.
        var arity = Assert.Throws<ArgumentException>(() => Serial(FanOut(2), Parallel(Identity(), Identity(), Identity())));
        Assert.Equal("layers[1]", arity.ParamName);
        Assert.Contains("takes 3", arity.Message);
        Assert.Contains("gives 2", arity.Message);
        var branch = Assert.Throws<ArgumentException>(() => Parallel(Identity(), FanOut(2)));
        Assert.Equal("branches[1]", branch.ParamName);
        Assert.Contains("gives 2", branch.Message);
    }

    [Fact]
    public void Descriptions_AreValues()
    {
        Layer Network() => Serial(Conv(4, (3, 3), padding: StaxPadding.Same), Relu(), FanOut(2), Parallel(Conv(4, (1, 1)), Identity()), FanInSum(), GlobalAvgPool(), Dense(1));
        Assert.Equal(Network(), Network());
        Assert.Equal(Network().On(2, 5, 5), Network().On(2, 5, 5));
        Assert.Equal(Network().On(2, 5, 5).GetHashCode(), Network().On(2, 5, 5).GetHashCode());
        Assert.NotEqual(Network().On(2, 5, 5), Network().On(2, 5, 6));
        Assert.NotEqual(Serial(Dense(2), Relu()), Serial(Dense(2), Erf()));
        Assert.Equal("Serial(Dense(2, sigmaW=1, sigmaB=0), ReLU) on [3]", Serial(Dense(2), Relu()).On(3).ToString());
    }

    [Fact]
    public void Shapes_AreCheckedWhenBoundToAnInput()
    {
        var convOnVector = Assert.Throws<ArgumentException>(() => Serial(Conv(4, (3, 3)), Flatten(), Dense(1)).On(10));
        Assert.Equal("network", convOnVector.ParamName);
        Assert.Contains("[C, H, W]", convOnVector.Message);
        Assert.Contains("[10]", convOnVector.Message);
        Assert.Contains("Serial layer 0", convOnVector.Message);

        var denseOnImage = Assert.Throws<ArgumentException>(() => Serial(Dense(4)).On(1, 4, 4));
        Assert.Contains("[d]", denseOnImage.Message);
        Assert.Contains("[1, 4, 4]", denseOnImage.Message);

        var fanIn = Assert.Throws<ArgumentException>(() =>
            Serial(FanOut(2), Parallel(Conv(4, (3, 3)), Conv(4, (3, 3), padding: StaxPadding.Same)), FanInSum(), Flatten(), Dense(1)).On(1, 5, 5));
        Assert.Contains("[4, 3, 3]", fanIn.Message);
        Assert.Contains("[4, 5, 5]", fanIn.Message);

        var filter = Assert.Throws<ArgumentException>(() => Serial(Conv(1, (5, 5)), Flatten()).On(1, 3, 3));
        Assert.Contains("5x5", filter.Message);
        Assert.Contains("[1, 3, 3]", filter.Message);

        var output = Assert.Throws<ArgumentException>(() => Conv(2, (1, 1)).On(1, 3, 3));
        Assert.Contains("[2, 3, 3]", output.Message);
        Assert.Equal("inputShape", Assert.Throws<ArgumentException>(() => Dense(1).On(3, 4)).ParamName);
        Assert.Equal("inputShape", Assert.Throws<ArgumentException>(() => Dense(1).On(0)).ParamName);
    }

    [Fact]
    public void KernelInputs_AreChecked()
    {
        var architecture = Serial(Conv(2, (2, 2)), Relu(), Flatten(), Dense(1)).On(1, 3, 3);
        var shape = Assert.Throws<ArgumentException>(() => architecture.Kernels(ones(2, 9, dtype: float64)));
        Assert.Equal("x1", shape.ParamName);
        Assert.Contains("[N, 1, 3, 3]", shape.Message);
        Assert.Contains("[2, 9]", shape.Message);
        Assert.Equal("x2", Assert.Throws<ArgumentException>(() => architecture.Kernels(ones(2, 1, 3, 3), ones(2, 1, 3, 4))).ParamName);
        var nan = ones(2, 1, 3, 3, dtype: float64);
        nan[1, 0, 1, 1] = tensor(double.NaN);
        Assert.Contains("NaN", Assert.Throws<ArgumentException>(() => architecture.Kernels(nan)).Message);
        Assert.Throws<ArgumentException>(() => architecture.Kernels(zeros(0, 1, 3, 3)));
        Assert.Equal("rowBlock", Assert.Throws<ArgumentOutOfRangeException>(() => architecture.Kernels(ones(2, 1, 3, 3), rowBlock: 0)).ParamName);
        var meta = new Device(DeviceType.META);
        var devices = Assert.Throws<ArgumentException>(() => architecture.Kernels(ones(2, 1, 3, 3), ones(2, 1, 3, 3, device: meta)));
        Assert.Equal("x2", devices.ParamName);
    }

    [Fact]
    public void NetworkInputs_AreChecked()
    {
        var architecture = Serial(Conv(2, (2, 2)), Relu(), Flatten(), Dense(1)).On(1, 3, 3);
        Assert.Equal("dtype", Assert.Throws<ArgumentOutOfRangeException>(() => architecture.Init(0, ScalarType.Int32)).ParamName);
        using var network = architecture.Init(0);
        Assert.Equal(new long[] { 1, 3, 3 }, network.InputShape);
        var shape = Assert.Throws<ArgumentException>(() => network.call(ones(2, 3, 3, dtype: float64)));
        Assert.Contains("[N, 1, 3, 3]", shape.Message);
        // Another device is refused, never copied, and without reading the values (a meta tensor has none).
        var device = Assert.Throws<ArgumentException>(() => network.ConformInput(ones(2, 1, 3, 3, device: new Device(DeviceType.META)), "x"));
        Assert.Contains("meta", device.Message);
        Assert.Contains("NaN", Assert.Throws<ArgumentException>(() => network.PrepareInput(full(2, 1, 3, 3, double.NaN, dtype: float64), "x")).Message);
        Assert.Equal(ScalarType.Float64, network.ConformInput(ones(1, 1, 3, 3, dtype: float32), "x").dtype); // converted, not refused
    }

    [Fact]
    public void KernelsThatAreNotTracked_AreRefused_WhileTheNetworksWork()
    {
        // An activation of the raw input is phi(x), not phi of a Gaussian; Identity + Identity has cross moment K
        // (total 4K, not 2K); ReLU + Identity has the untracked cross moment E[phi(u) v]. The finite networks are fine.
        var x = TestData.UnitRows(3, 4, seed: 1);
        foreach (var network in new Layer[]
                 {
                     Serial(Relu(), Dense(1)),
                     Serial(Dense(8), FanOut(2), Parallel(Identity(), Identity()), FanInSum(), Relu(), Dense(1)),
                     Serial(Dense(8), FanOut(2), Parallel(Relu(), Identity()), FanInSum(), Dense(1)),
                     Serial(Conv(2, (1, 1)), Relu(), Flatten(), Tanh(), Dense(1)),
                     Serial(Dense(8), Elementwise(Phi.Custom("softsign", t => t / (1 + t.abs()))), Dense(1)),
                 })
        {
            var architecture = network.On(network.ToString().StartsWith("Serial(Conv") ? [4, 1, 1] : [4]);
            Assert.False(architecture.HasAnalyticKernels);
            var input = architecture.InputShape.Count == 3 ? x.reshape(3, 4, 1, 1) : x;
            var refused = Assert.Throws<NotSupportedException>(() => architecture.Kernels(input));
            Assert.Contains(architecture.KernelIssue!, refused.Message);
            using var finite = architecture.Init(1);
            Assert.Equal(new long[] { 3, 1 }, finite.call(input).shape);
        }

        // A residual sum whose branch ends in its own Dense layer is exact, also with the raw input as the shortcut.
        Assert.True(Serial(Dense(8), FanOut(2), Parallel(Serial(Relu(), Dense(8)), Identity()), FanInSum(), Relu(), Dense(1)).On(4).HasAnalyticKernels);
        Assert.True(Serial(FanOut(2), Parallel(Dense(4), Identity()), FanInSum(), Dense(1)).On(4).HasAnalyticKernels);
        Assert.False(Serial(FanOut(2), Parallel(Dense(4), Identity()), FanInSum(), Relu(), Dense(1)).On(4).HasAnalyticKernels);
        var (k, theta) = Serial(FanOut(2), Parallel(Dense(4, 1.3), Identity()), FanInSum(), Dense(1, 0.7)).On(4).Kernels(x);
        // K = 0.49 (1.69 + 1) x.x'/4 and Theta = K + 0.49 * 1.69 x.x'/4: hand-derived from the layers' remarks.
        var dots = x.matmul(x.T) / 4;
        Assert.True(TestData.RelativeError(k, dots * (0.49 * 2.69)) < 1e-14);
        Assert.True(TestData.RelativeError(theta, dots * (0.49 * 2.69 + 0.49 * 1.69)) < 1e-14);
    }
}
