using MathNet.Numerics;
using NtkNotebooks.Kernels;
using NtkNotebooks.Models;
using Xunit.Abstractions;

namespace NtkNotebooks.Tests.Kernels;

public class ConvergenceTests(ITestOutputHelper output)
{
    [Fact]
    public void EmpiricalNtk_ConvergesToAnalytic_AtRateOneOverSqrtWidth()
    {
        // Theorem (Jacot et al.; PAPER.md Figures S9/S10): Theta_hat - Theta = O(n^{-1/2}) with Gaussian fluctuations,
        // so the mean relative error over entries, averaged over seeds, falls like n^{-1/2}: a log-log slope of -1/2.
        // 5 widths x 6 seeds; the slope's spread across seed sets is about 0.05, so [-0.65, -0.35] is a 3-sigma band.
        var arch = TestData.Fc(8, 1, 2, Activation.ReLU, sigmaW: Math.Sqrt(2), sigmaB: 0.1);
        var x = TestData.UnitRows(10, 8, seed: 21);
        var exact = AnalyticKernels.Compute(arch, x).Ntk;
        int[] widths = [64, 256, 1024, 2048, 4096];
        var errors = widths.Select(width => Enumerable.Range(0, 6).Average(seed =>
        {
            using var net = new FullyConnectedNetwork(arch.WithWidth(width), seed);
            var empirical = EmpiricalNtk.Compute(net, x);
            return ((empirical - exact).abs() / exact.abs()).mean().item<double>();
        })).ToArray();
        var (_, slope) = Fit.Line(widths.Select(w => Math.Log(w)).ToArray(), errors.Select(e => Math.Log(e)).ToArray());
        output.WriteLine($"widths {string.Join(", ", widths)}: mean relative error {string.Join(", ", errors.Select(e => e.ToString("E2")))}; slope {slope:F3}");
        Assert.InRange(slope, -0.65, -0.35);
        Assert.True(errors[^1] < 0.05, $"error at width 4096 is {errors[^1]:P1}");
    }

    [Fact]
    public void FeatureNngp_ConvergesToAnalytic()
    {
        var arch = TestData.Fc(8, 1, 3, Activation.Tanh, sigmaW: 1.5, sigmaB: 0.05);
        var x = TestData.UnitRows(10, 8, seed: 3);
        var exact = AnalyticKernels.Compute(arch, x).Nngp;
        int[] widths = [64, 512, 4096];
        var errors = widths.Select(width => Enumerable.Range(0, 4).Average(seed =>
        {
            using var net = new FullyConnectedNetwork(arch.WithWidth(width), seed);
            return TestData.RelativeError(EmpiricalNngp.FromFeatures(net, x), exact);
        })).ToArray();
        var (_, slope) = Fit.Line(widths.Select(w => Math.Log(w)).ToArray(), errors.Select(e => Math.Log(e)).ToArray());
        output.WriteLine($"NNGP errors {string.Join(", ", errors.Select(e => e.ToString("E2")))}; slope {slope:F3}");
        Assert.InRange(slope, -0.7, -0.3);
    }
}
