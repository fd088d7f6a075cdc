using NtkNotebooks.Kernels;
using NtkNotebooks.Models;
using static TorchSharp.torch;

namespace NtkNotebooks.Tests.Kernels;

public class NtkVectorProductTests
{
    // Another method for the same quantity: the full [N1, N2, k, k] kernel from the Jacobian contraction, contracted
    // with v. Both are float64 sums of the same products in another order: agreement to ~1e-13 relative.
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void EqualsTheFullKernelContractedWithTheVector(bool convolutional)
    {
        INtkNetwork net = convolutional
            ? new ConvolutionalNetwork((1, 5, 5), [6], outputs: 2, Activation.Tanh, sigmaB: 0.1, seed: 4)
            : new FullyConnectedNetwork(TestData.Fc(5, 24, 2, Activation.Erf, outputs: 3), seed: 4);
        var x1 = convolutional ? TestData.UnitRows(4, 25) : TestData.UnitRows(4, 5);
        var x2 = convolutional ? TestData.UnitRows(6, 25, seed: 9) : TestData.UnitRows(6, 5, seed: 9);
        using var g = new Generator(11);
        var v = randn([6, net.Outputs], dtype: float64, generator: g);

        var full = JacobianNtk.Compute(net, x1, x2, KernelOutputs.Full);          // [N1, N2, k, k]
        var expected = einsum("ijab,jb->ia", full, v);
        Assert.True(TestData.RelativeError(NtkVectorProduct.Apply(net, x1, v, x2), expected) < 1e-12);
    }

    [Fact]
    public void RefusesAVectorOfTheWrongShape()
    {
        var net = new FullyConnectedNetwork(TestData.Fc(5, 8, 1, Activation.ReLU, outputs: 2), seed: 1);
        Assert.Contains("cotangent", Assert.Throws<ArgumentException>(() =>
            NtkVectorProduct.Apply(net, TestData.UnitRows(3, 5), ones(3, 1, dtype: float64))).Message);
    }
}
