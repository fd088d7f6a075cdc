using NtkNotebooks.Kernels;
using NtkNotebooks.Linearization;
using NtkNotebooks.Models;
using static TorchSharp.torch;

namespace NtkNotebooks.Tests.Linearization;

public class TangentTests
{
    static Tensor[] RandomTangent(INtkNetwork net, ulong seed)
    {
        using var g = new Generator(seed);
        return net.parameters().Select(p => randn(p.shape, dtype: float64, generator: g)).ToArray();
    }

    [Theory]
    [InlineData("ReLU", 0.2)]
    [InlineData("Tanh", 0.0)]
    public void ForwardMode_EqualsDoubleBackward_EqualsJacobianTimesVector(string activation, double sigmaB)
    {
        var net = new FullyConnectedNetwork(TestData.Fc(4, 12, 3, Activation.Parse(activation), outputs: 2, sigmaB: sigmaB), seed: 2);
        var x = TestData.UnitRows(6, 4);
        var v = RandomTangent(net, 5);
        var forward = Tangents.JvpForwardMode(net, x, v);
        var doubleBackward = Tangents.JvpDoubleBackward(net, x, v);
        var viaJacobian = JacobianNtk.Jacobian(net, x).matmul(cat(v.Select(t => t.flatten()).ToArray())).reshape(6, 2);
        Assert.True(TestData.RelativeError(forward, viaJacobian) < 1e-12);
        Assert.True(TestData.RelativeError(doubleBackward, viaJacobian) < 1e-12);
    }

    [Fact]
    public void Vjp_IsTheAdjointOfJvp()
    {
        // <u, J v> = <J^T u, v> for any u, v.
        var net = new FullyConnectedNetwork(TestData.Fc(5, 10, 2, Activation.Erf, outputs: 3), seed: 8);
        var x = TestData.UnitRows(4, 5);
        var v = RandomTangent(net, 1);
        using var g = new Generator(2);
        var u = randn([4, 3], dtype: float64, generator: g);
        var left = (u * Tangents.Jvp(net, x, v)).sum().item<double>();
        var right = Tangents.Vjp(net, x, u).Zip(v, (a, b) => (a * b).sum().item<double>()).Sum();
        Assert.Equal(left, right, 1e-10);
    }

    [Fact]
    public void MismatchedTangents_AreRejectedBeforeAutograd()
    {
        var net = new FullyConnectedNetwork(TestData.Fc(3, 4, 1, Activation.ReLU), seed: 0);
        var x = TestData.UnitRows(2, 3);
        var tangent = RandomTangent(net, 1);
        var tooFew = Assert.Throws<ArgumentException>(() => Tangents.Jvp(net, x, tangent[1..]));
        Assert.Contains("one tensor per parameter", tooFew.Message);
        tangent[0] = zeros(2, 2, dtype: float64);
        Assert.Contains("tangent[0]", Assert.Throws<ArgumentException>(() => Tangents.JvpDoubleBackward(net, x, tangent)).Message);
        Assert.Contains("cotangent", Assert.Throws<ArgumentException>(() => Tangents.Vjp(net, x, zeros(3, 1, dtype: float64))).Message);
    }
}
