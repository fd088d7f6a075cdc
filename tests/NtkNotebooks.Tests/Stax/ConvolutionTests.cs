using NtkNotebooks.Models;
using NtkNotebooks.Stax;
using TorchSharp;
using static NtkNotebooks.Stax.Stax;
using static TorchSharp.torch;
using Phi = NtkNotebooks.Models.Activation;
using StaxPadding = NtkNotebooks.Stax.Padding;

namespace NtkNotebooks.Tests.Stax;

/// <summary>Convolutions, pooling and branches: kernels against an explicit-matrix CNN-GP, networks against torch and by hand.</summary>
public class ConvolutionTests
{
    internal static Tensor Images(int n, int c, int h, int w, ulong seed)
    {
        using var g = new Generator(seed);
        return randn([n, c, h, w], dtype: float64, generator: g);
    }

    static Layer ResidualBlock(int channels) =>
        Serial(FanOut(2), Parallel(Serial(Relu(), Conv(channels, (3, 3), padding: StaxPadding.Same, sigmaW: 1.3, sigmaB: 0.1)), Identity()), FanInSum());

    // Each case: the Stax network and the same network as explicit-matrix steps.
    public static TheoryData<string> Cases => new() { "strided-same-even", "valid-pool-gap", "residual-pool-flatten", "tanh-pool" };

    static (Layer Network, Action<ReferenceCnnGp> Reference) Case(string name) => name switch
    {
        // Stride 2 on odd sizes and an even filter with Same padding (one more pixel after than before).
        "strided-same-even" => (
            Serial(Conv(3, (3, 3), (2, 2), StaxPadding.Same, 1.4, 0.2), Relu(), Conv(3, (2, 2), padding: StaxPadding.Same, sigmaW: 1.2), Erf(), Flatten(), Dense(1, 1.1, 0.1)),
            r => { r.Conv(3, 3, 2, 2, true, 1.4, 0.2); r.Activation(Phi.ReLU); r.Conv(2, 2, 1, 1, true, 1.2, 0); r.Activation(Phi.Erf); r.Flatten(); r.Dense(1.1, 0.1); }),
        "valid-pool-gap" => (
            Serial(Conv(4, (3, 2), sigmaW: 1.5, sigmaB: 0.3), Relu(), AvgPool((2, 2), padding: StaxPadding.Same), Conv(4, (2, 2), (2, 1)), Relu(), GlobalAvgPool(), Dense(1, 1.2)),
            r => { r.Conv(3, 2, 1, 1, false, 1.5, 0.3); r.Activation(Phi.ReLU); r.AvgPool(2, 2, 1, 1, true); r.Conv(2, 2, 2, 1, false, 1, 0); r.Activation(Phi.ReLU); r.GlobalAvgPool(); r.Dense(1.2, 0); }),
        "residual-pool-flatten" => (
            Serial(Conv(3, (3, 3), padding: StaxPadding.Same, sigmaW: 1.2, sigmaB: 0.2), ResidualBlock(3), Relu(), AvgPool((3, 3), (2, 2)), Flatten(), Dense(1, 1.3, 0.05)),
            r =>
            {
                r.Conv(3, 3, 1, 1, true, 1.2, 0.2);
                var branch = r.Copy();
                branch.Activation(Phi.ReLU);
                branch.Conv(3, 3, 1, 1, true, 1.3, 0.1);
                r.Add(branch);
                r.Activation(Phi.ReLU); r.AvgPool(3, 3, 2, 2, false); r.Flatten(); r.Dense(1.3, 0.05);
            }),
        "tanh-pool" => (
            Serial(Conv(2, (3, 3), (2, 2), sigmaW: 1.6), Tanh(), AvgPool((2, 2), padding: StaxPadding.Same), Flatten(), Dense(1)),
            r => { r.Conv(3, 3, 2, 2, false, 1.6, 0); r.Activation(Phi.Tanh); r.AvgPool(2, 2, 1, 1, true); r.Flatten(); r.Dense(1, 0); }),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Kernels_EqualTheExplicitMatrixCnnGp(string name)
    {
        // Two evaluations of the same closed forms on the same numbers, in different orders (strided slices and the
        // pixel diagonal against dense matrix products over all pixel pairs): agreement to round-off, ~1e-15 per
        // operation over a few dozen operations, so 1e-12 relative. Tanh goes through the quadrature rule, whose arcs
        // are split where u = 0 or v = 0: where a correlation crosses 0 a rounding difference moves the split, and the
        // value by up to the rule's error (better than 1e-10, GaussianQuadrature.Default), which bounds that case.
        var tolerance = name.StartsWith("tanh") ? 1e-10 : 1e-12;
        var (network, reference) = Case(name);
        var x1 = Images(4, 2, 5, 5, seed: 3);
        var x2 = Images(3, 2, 5, 5, seed: 4);
        var architecture = network.On(2, 5, 5);
        var all = ReferenceCnnGp.FromImages(cat([x1, x2]));
        reference(all);
        var (k, theta) = all.Output;
        var cross = architecture.Kernels(x1, x2);
        var symmetric = architecture.Kernels(x1);
        foreach (var (mine, expected) in new[]
                 {
                     (cross.Nngp, k[..4, 4..]), (cross.Ntk, theta[..4, 4..]),
                     (symmetric.Nngp, k[..4, ..4]), (symmetric.Ntk, theta[..4, ..4]),
                 })
        {
            Assert.True(TestData.RelativeError(mine, expected) < tolerance, $"{name}: relative error {TestData.RelativeError(mine, expected):E2}");
        }
    }

    [Fact]
    public void OneByOneConvolutionsOfOnePixelImages_AreDenseLayers()
    {
        // On 1x1 images a 1x1 convolution is x W + b with W [C_in, C_out] = w[:, :, 0, 0]^T and fan-in C_in: the same
        // recursion step by step (Flatten of one pixel is the identity), so the kernels agree to round-off. The
        // finite networks agree once they hold the same parameters.
        var convolutional = Serial(Conv(16, (1, 1), sigmaW: 1.3, sigmaB: 0.2), Relu(), Conv(16, (1, 1), sigmaW: 1.3, sigmaB: 0.2), Erf(), Flatten(), Dense(2, 1.3, 0.2)).On(6, 1, 1);
        var dense = Serial(Dense(16, 1.3, 0.2), Relu(), Dense(16, 1.3, 0.2), Erf(), Dense(2, 1.3, 0.2)).On(6);
        var x = TestData.UnitRows(9, 6, seed: 5) * 1.5;
        var images = x.reshape(9, 6, 1, 1);
        var (kc, tc) = convolutional.Kernels(images);
        var (kd, td) = dense.Kernels(x);
        Assert.True(TestData.RelativeError(kc, kd) < 1e-14);
        Assert.True(TestData.RelativeError(tc, td) < 1e-14);

        using var cnn = convolutional.Init(3);
        using var fc = dense.Init(4);
        using (no_grad())
        {
            for (var l = 0; l < 3; l++)
            {
                var w = fc.Weights[l];
                cnn.Weights[l].copy_(l < 2 ? w.T.reshape(w.shape[1], w.shape[0], 1, 1) : w);
                cnn.Biases[l]!.copy_(fc.Biases[l]!);
            }
        }
        Assert.Equal(fc.WeightScales, cnn.WeightScales);
        Assert.True(TestData.RelativeError(cnn.call(images), fc.call(x)) < 1e-14);
    }

    [Theory]
    [InlineData(Parameterization.Ntk)]
    [InlineData(Parameterization.Standard)]
    public void Init_MatchesTorchConvolutionsAndPooling(Parameterization parameterization)
    {
        // The network of ConvolutionalNetwork (3x3 convolutions with zero padding 1, global average pooling, dense
        // readout, same draw order): the same outputs for the same seed in NTK parameterization. Then every layer
        // type against torch's own conv2d and avg_pool2d on the parameters Init drew.
        var x = Images(3, 2, 6, 5, seed: 9);
        if (parameterization == Parameterization.Ntk)
        {
            using var reference = new ConvolutionalNetwork((2, 6, 5), [5, 4], 3, Phi.ReLU, sigmaW: 1.4, sigmaB: 0.3, seed: 6);
            using var mine = Serial(Conv(5, (3, 3), padding: StaxPadding.Same, sigmaW: 1.4, sigmaB: 0.3), Relu(), Conv(4, (3, 3), padding: StaxPadding.Same, sigmaW: 1.4, sigmaB: 0.3), Relu(),
                GlobalAvgPool(), Dense(3, 1.4, 0.3)).On(2, 6, 5).Init(6);
            Assert.True(TestData.RelativeError(mine.call(x), reference.call(x)) < 1e-14);
        }

        using var network = Serial(Conv(3, (2, 2), padding: StaxPadding.Same, sigmaW: 1.5, sigmaB: 0.5), Tanh(), AvgPool((2, 2), (2, 2)),
            Conv(2, (3, 2), (2, 1), sigmaW: 0.8), Flatten()).On(2, 6, 5).Init(8, parameterization: parameterization);
        var (w1, b1, w2) = (network.Weights[0], network.Biases[0]!, network.Weights[1]);
        var (a1, c1, a2) = (network.WeightScales[0], network.BiasScales[0], network.WeightScales[1]);
        if (parameterization == Parameterization.Ntk)
        {
            Assert.Equal(1.5 / Math.Sqrt(2 * 2 * 2), a1, 15);
            Assert.Equal(0.5, c1);
            Assert.Equal(0.8 / Math.Sqrt(3 * 3 * 2), a2, 15);
        }
        // padding "same" for a 2x2 filter (TensorFlow, JAX, PyTorch): one zero row and column after the image.
        var h = nn.functional.conv2d(nn.functional.pad(x, [0, 1, 0, 1]), w1 * a1, b1 * c1).tanh();
        h = nn.functional.avg_pool2d(h, [2, 2], [2, 2]);
        var expected = nn.functional.conv2d(h, w2 * a2, null, strides: [2, 1]).flatten(1);
        // [2, 6, 5] -> conv Same [3, 6, 5] -> pool [3, 3, 2] -> conv 3x2 stride (2, 1) Valid [2, 1, 1] -> 2 features.
        Assert.Equal(new long[] { 3, 2 }, network.call(x).shape);
        Assert.True(TestData.RelativeError(network.call(x), expected) < 1e-13);
    }

    [Fact]
    public void TinyNetwork_ForwardMatchesHandComputation()
    {
        // x = [[1, 2], [3, 4]] (one channel). Conv(1, 2x2, Valid, sigma_w = 2, sigma_b = 0.5) with omega = [[1, 0], [0, 1]],
        // beta = 0.3: h = (2 / sqrt(4)) (1 + 4) + 0.5 * 0.3 = 5.15; ReLU keeps it. Flatten, then Dense(2, sigma_w = 3)
        // with omega = [[1, -1]]: f = (3 / sqrt(1)) * 5.15 * [1, -1] = [15.45, -15.45].
        // A second image [[-1, 0], [0, -2]]: h = -3 + 0.15 = -2.85, ReLU 0, f = [0, 0].
        using var network = Serial(Conv(1, (2, 2), sigmaW: 2, sigmaB: 0.5), Relu(), Flatten(), Dense(2, sigmaW: 3)).On(1, 2, 2).Init(0);
        using (no_grad())
        {
            network.Weights[0].copy_(tensor(new[] { 1.0, 0, 0, 1 }, [1, 1, 2, 2], float64));
            network.Biases[0]!.copy_(tensor(new[] { 0.3 }, float64));
            network.Weights[1].copy_(tensor(new[] { 1.0, -1 }, [1, 2], float64));
        }
        var x = tensor(new[] { 1.0, 2, 3, 4, -1, 0, 0, -2 }, [2, 1, 2, 2], float64);
        var f = network.call(x);
        Assert.Equal(15.45, f[0, 0].item<double>(), 13);
        Assert.Equal(-15.45, f[0, 1].item<double>(), 13);
        Assert.Equal(0.0, f[1].abs().max().item<double>());

        // Average pooling with Same padding counts the padded zeros: the 3x3 image 1..9 with 2x2 windows and stride
        // 1 pads one row and column after, so the last window holds 9 and three zeros.
        using var pool = Serial(AvgPool((2, 2), padding: StaxPadding.Same), Flatten()).On(1, 3, 3).Init(0);
        var pooled = pool.call(arange(1.0, 10.0, dtype: float64).reshape(1, 1, 3, 3));
        Assert.Equal(new[] { 3.0, 4, 2.25, 6, 7, 3.75, 3.75, 4.25, 2.25 }, pooled.data<double>().ToArray());
    }

    [Fact]
    public void OnePixelConvolution_HasTheHandDerivedKernel()
    {
        // Conv(c, 2x2, Valid) on a 2x2 one-channel image is one output pixel: K = sigma_w^2 x.x'/4 + sigma_b^2 = Theta.
        // Then GlobalAvgPool (one pixel: unchanged) and Dense(sigma_w = 1.5, no bias): K' = 2.25 K, Theta' = K' + 2.25 K.
        var architecture = Serial(Conv(8, (2, 2), sigmaW: 2, sigmaB: 0.5), GlobalAvgPool(), Dense(1, 1.5)).On(1, 2, 2);
        var x = tensor(new[] { 1.0, 2, 3, 4, -1, 0, 0.5, -2 }, [2, 1, 2, 2], float64);
        var (k, theta) = architecture.Kernels(x);
        double[,] dots = { { 30, -7.5 }, { -7.5, 5.25 } }; // x.x'
        for (var i = 0; i < 2; i++)
        for (var j = 0; j < 2; j++)
        {
            var k1 = 4 * dots[i, j] / 4 + 0.25;
            Assert.Equal(2.25 * k1, k[i, j].item<double>(), 13);
            Assert.Equal(4.5 * k1, theta[i, j].item<double>(), 13);
        }
    }
}
