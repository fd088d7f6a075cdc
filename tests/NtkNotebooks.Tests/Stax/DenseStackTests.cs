using NtkNotebooks.Kernels;
using NtkNotebooks.Models;
using NtkNotebooks.Stax;
using static NtkNotebooks.Stax.Stax;
using static TorchSharp.torch;
// With `using static Stax`, the simple name Activation is the layer function; the type gets another name.
using Phi = NtkNotebooks.Models.Activation;

namespace NtkNotebooks.Tests.Stax;

/// <summary>Dense stacks built with Stax against the library's fully connected network and AnalyticKernels.</summary>
public class DenseStackTests
{
    // The same network as FullyConnectedArchitecture(inputDim, [width x depth], outputs, phi, sigmaW, sigmaB).
    internal static Layer DenseStack(int width, int depth, int outputs, Phi phi, double sigmaW, double sigmaB) =>
        Serial([.. Enumerable.Range(0, depth).SelectMany(_ => new Layer[] { Dense(width, sigmaW, sigmaB), Elementwise(phi) }), Dense(outputs, sigmaW, sigmaB)]);

    [Theory]
    [InlineData("ReLU", 0.0)]
    [InlineData("ReLU", 0.3)]
    [InlineData("Erf", 0.2)]
    [InlineData("Tanh", 0.0)]
    [InlineData("Tanh", 0.1)]
    [InlineData("Identity", 0.5)]
    public void Kernels_EqualAnalyticKernels(string name, double sigmaB)
    {
        // The same recursion (S24-S29) evaluated by two codes: each step rounds once or twice (a few ulp), and the
        // closed forms and the quadrature rule are the same functions, so a depth-3 stack agrees to ~10 ulp. n_0 = 8
        // makes x.x'/n_0 exact, so the first layer rounds identically in both.
        var phi = Phi.Parse(name);
        var fc = TestData.Fc(8, 1, 3, phi, sigmaW: 1.4, sigmaB: sigmaB);
        var architecture = DenseStack(1, 3, 1, phi, 1.4, sigmaB).On(8);
        var x1 = TestData.UnitRows(12, 8, seed: 7) * 1.3;
        var x2 = TestData.UnitRows(5, 8, seed: 8);
        foreach (var (mine, reference) in new[]
                 {
                     (architecture.Kernels(x1), AnalyticKernels.Compute(fc, x1)),
                     (architecture.Kernels(x1, x2), AnalyticKernels.Compute(fc, x1, x2)),
                 })
        {
            Assert.True(TestData.RelativeError(mine.Nngp, reference.Nngp) <= 1e-14, $"NNGP {TestData.RelativeError(mine.Nngp, reference.Nngp):E2}");
            Assert.True(TestData.RelativeError(mine.Ntk, reference.Ntk) <= 1e-14, $"NTK {TestData.RelativeError(mine.Ntk, reference.Ntk):E2}");
        }
    }

    [Theory]
    [InlineData(Parameterization.Ntk, 0.2)]
    [InlineData(Parameterization.Standard, 0.2)]
    [InlineData(Parameterization.Ntk, 0.0)]
    public void Init_DrawsTheFullyConnectedNetworkOfTheSameSeed(Parameterization parameterization, double sigmaB)
    {
        // Both draw W^l [n_{l-1}, n_l] then b^l from one generator, layer by layer, and compute the same operations:
        // the outputs must be identical, and so the empirical NTKs.
        var fc = TestData.Fc(6, 32, 2, Phi.Tanh, outputs: 3, sigmaW: 1.3, sigmaB: sigmaB, parameterization: parameterization);
        using var reference = new FullyConnectedNetwork(fc, seed: 11);
        using var network = DenseStack(32, 2, 3, Phi.Tanh, 1.3, sigmaB).On(6).Init(11, parameterization: parameterization);
        var x = TestData.UnitRows(7, 6, seed: 2);
        Assert.Equal(reference.parameters().Count(), network.parameters().Count());
        Assert.Equal(0.0, (network.call(x) - reference.call(x)).abs().max().item<double>());
        Assert.Equal(reference.WeightScales, network.WeightScales);
        var theta = JacobianNtk.Compute(network, x);
        Assert.True(TestData.RelativeError(theta, EmpiricalNtk.Compute(reference, x)) < 1e-13);
    }
}
