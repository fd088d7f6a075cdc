using NtkNotebooks.Models;
using NtkNotebooks.Training;
using Xunit.Abstractions;

namespace NtkNotebooks.Tests.Dynamics;

public class LinearizationWidthTests(ITestOutputHelper output)
{
    [Fact]
    public void WideNetworksTrackTheirLinearization_RmseFallsWithWidth()
    {
        // Theorem 2.1: sup_t |f_t - f_lin_t| = O(n^{-1/2}). Train both on a small regression task and fit the log-log
        // slope of the final test RMSE between them over widths 64 .. 2048 (two seeds each).
        var (train, test) = MseDynamicsTests.SmallTask(n: 16, m: 8, d: 6);
        int[] widths = [64, 128, 256, 512, 1024, 2048];
        var options = new TrainingOptions { LearningRate = 1.0, Steps = 200, RecordAt = [200] };
        var rmse = widths.Select(width => Enumerable.Range(0, 2).Average(seed =>
        {
            var arch = TestData.Fc(6, width, 2, Activation.ReLU, sigmaW: Math.Sqrt(2), sigmaB: 0.1);
            var result = Trainer.TrainSideBySide(() => new FullyConnectedNetwork(arch, seed), train, test, options);
            return result.OutputRmse()[^1];
        })).ToArray();
        var slope = Fits.LogLogSlope(widths.Select(w => (double)w).ToArray(), rmse);
        output.WriteLine($"RMSE(net, lin): {string.Join(", ", rmse.Select(r => r.ToString("E2")))}; slope {slope:F3}");
        Assert.InRange(slope, -0.8, -0.35);
    }
}
