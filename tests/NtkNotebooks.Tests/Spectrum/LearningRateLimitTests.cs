using NtkNotebooks.Spectrum;
using NtkNotebooks.Training;
using static TorchSharp.torch;

namespace NtkNotebooks.Tests.Spectrum;

public class LearningRateLimitTests
{
    static Tensor HandKernel() => tensor(new double[] { 3, 1, 1, 3 }, [2, 2], float64);

    // [[3, 1], [1, 3]] has eigenvalues 4 and 2 (eigenvectors (1, 1) and (1, -1)), by hand: eta_crit = 2 / (2 + 4) = 1/3,
    // where the two modes' factors 1 - eta lambda are -1/3 and +1/3; eta_max = 2 / 4 = 1/2.
    [Fact]
    public void CriticalAndMaximalRates_OfAHandComputedKernel()
    {
        var spectrum = new KernelSpectrum(HandKernel());
        Assert.Equal(1.0 / 3, spectrum.CriticalLearningRate(), 14);
        Assert.Equal(0.5, spectrum.MaxLearningRate(), 14);
        Assert.Equal(0.5 * 1.9, spectrum.MaxLearningRate(momentum: 0.9), 14);
        Assert.Equal(8.0 / 3, spectrum.CriticalLearningRate(LossReduction.Mean, targetEntries: 8), 13); // mean loss: times N k
    }

    // The definitions, run: gradient descent r <- (I - eta K) r on the same kernel. eta_crit minimises the slowest mode's
    // contraction, so after 40 steps any other rate leaves a larger residual; just above eta_max the residual grows.
    [Fact]
    public void CriticalRate_ContractsFastest_AndTheMaximalRateSeparatesConvergenceFromDivergence()
    {
        var k = HandKernel();
        var spectrum = new KernelSpectrum(k);
        double Residual(double eta, int steps = 40)
        {
            var r = tensor(new double[] { 1, 0.3 }, [2, 1], float64);
            for (var i = 0; i < steps; i++) r = r - eta * k.matmul(r);
            return r.norm().item<double>();
        }
        var critical = spectrum.CriticalLearningRate();
        foreach (var other in new[] { 0.8 * critical, 0.95 * critical, 1.05 * critical, 1.2 * critical })
            Assert.True(Residual(critical) < Residual(other), $"eta = {other} should leave more than eta_crit = {critical}");
        var max = spectrum.MaxLearningRate();
        Assert.True(Residual(0.99 * max) < Residual(0, 0), "converges just below eta_max");
        Assert.True(Residual(1.01 * max) > Residual(0, 0), "diverges just above eta_max");
    }
}
