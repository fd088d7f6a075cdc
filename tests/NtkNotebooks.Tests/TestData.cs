using NtkNotebooks.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace NtkNotebooks.Tests;

/// <summary>Seeded inputs and small helpers shared by the tests.</summary>
internal static class TestData
{
    /// <summary>[n, d] Gaussian rows scaled to unit norm (||x|| = 1, as Theorem 2.1 assumes), float64.</summary>
    public static Tensor UnitRows(int n, int d, ulong seed = 1)
    {
        using var g = new Generator(seed);
        var x = randn([n, d], dtype: float64, generator: g);
        return x / x.norm(1, keepdim: true);
    }

    public static FullyConnectedArchitecture Fc(int inputDim, int width, int depth, Activation activation, int outputs = 1,
        double sigmaW = 1.5, double sigmaB = 0.3, Parameterization parameterization = Parameterization.Ntk) =>
        new(inputDim, Enumerable.Repeat(width, depth).ToArray(), outputs, activation, sigmaW, sigmaB, parameterization);

    /// <summary>max |a - b| / max |b|.</summary>
    public static double RelativeError(Tensor actual, Tensor expected)
    {
        using var diff = (actual.to(float64) - expected.to(float64)).abs().max();
        using var scale = expected.to(float64).abs().max();
        return diff.item<double>() / scale.item<double>();
    }

    public static double[] Eigenvalues(Tensor symmetric)
    {
        using var e = linalg.eigvalsh(symmetric.to(float64));
        return e.data<double>().ToArray();
    }
}
