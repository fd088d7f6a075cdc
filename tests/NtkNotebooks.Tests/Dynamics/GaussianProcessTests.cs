using NtkNotebooks.Dynamics;
using NtkNotebooks.Kernels;
using NtkNotebooks.Models;
using static TorchSharp.torch;

namespace NtkNotebooks.Tests.Dynamics;

public class GaussianProcessTests
{
    static (KernelPair TrainTrain, KernelPair TestTrain, KernelPair TestTest, Tensor Joint) Kernels(int n, int m)
    {
        var arch = TestData.Fc(5, 1, 3, Activation.Erf, sigmaW: 1.5, sigmaB: 0.1);
        var x = TestData.UnitRows(n + m, 5, seed: 9);
        var all = AnalyticKernels.Compute(arch, x);
        KernelPair Block(long r0, long rn, long c0, long cn) =>
            new(all.Nngp.narrow(0, r0, rn).narrow(1, c0, cn), all.Ntk.narrow(0, r0, rn).narrow(1, c0, cn));
        return (Block(0, n, 0, n), Block(n, m, 0, n), Block(n, m, n, m), all.Nngp);
    }

    [Fact]
    public void NtkGp_MatchesAnEnsembleOfLinearModelsStartedFromTheNngpPrior()
    {
        // Eq 14-16 are the mean and covariance of f_t(x) = f_0(x) + Theta_TX g_t(Theta)(Y - f_0(X)) over f_0 ~ GP(0, K).
        // Sample S = 20000 initial functions jointly on [X; T], run the closed-form dynamics, and compare moments.
        // Standard errors: mean sqrt(Sigma_ii / S); covariance sqrt((Sigma_ii Sigma_jj + Sigma_ij^2) / S). Tolerance 5 SE.
        const int n = 8, m = 4, samples = 20000;
        var (trainTrain, testTrain, testTest, joint) = Kernels(n, m);
        using var g = new Generator(5);
        var y = randn([n, 1], dtype: float64, generator: g);
        var f0 = randn([samples, n + m], dtype: float64, generator: g).matmul(linalg.cholesky(joint + 1e-12 * eye(n + m, dtype: float64)).T);
        var (f0Train, f0Test) = (f0.narrow(1, 0, n).T, f0.narrow(1, n, m).T); // [n, S], [m, S]: S independent "outputs"

        foreach (var t in new[] { 5.0, 50.0, double.PositiveInfinity })
        {
            var dynamics = new MseDynamics(trainTrain.Ntk, y.expand(n, samples), 1.0, NtkNotebooks.Training.LossReduction.Sum);
            var ft = dynamics.TestOutputs(testTrain.Ntk, f0Test, f0Train, t); // [m, S]
            var gp = GaussianProcesses.NtkGp(trainTrain, testTrain, testTest, y, 1.0, t, NtkNotebooks.Training.LossReduction.Sum);

            var mean = ft.mean([1]);
            var centered = ft - mean.unsqueeze(1);
            var covariance = centered.matmul(centered.T) / (samples - 1);
            var variance = gp.Covariance.diagonal();
            var meanSe = (variance / samples).sqrt();
            Assert.True(((mean - gp.Mean.squeeze(1)).abs() <= 5 * meanSe + 1e-12).all().item<bool>(), $"mean at t = {t}");
            var covSe = ((variance.outer(variance) + gp.Covariance.square()) / samples).sqrt();
            Assert.True(((covariance - gp.Covariance).abs() <= 5 * covSe + 1e-12).all().item<bool>(), $"covariance at t = {t}");
        }
    }

    [Fact]
    public void ReadoutOnly_IsTheNtkGpWithTheNngpAsKernel_AndConvergesToTheNngpPosterior()
    {
        var (trainTrain, testTrain, testTest, _) = Kernels(8, 4);
        var y = TestData.UnitRows(8, 1, seed: 4);
        KernelPair AsNtk(KernelPair p) => new(p.Nngp, p.Nngp); // training only the readout: its NTK is K
        foreach (var discrete in new[] { false, true })
        foreach (var t in new[] { 0.0, 3.0, 30.0 })
        {
            var readout = GaussianProcesses.ReadoutOnly(trainTrain, testTrain, testTest, y, 0.7, t, discrete: discrete);
            var viaNtkGp = GaussianProcesses.NtkGp(AsNtk(trainTrain), AsNtk(testTrain), AsNtk(testTest), y, 0.7, t, discrete: discrete);
            Assert.True(TestData.RelativeError(readout.Mean, viaNtkGp.Mean) < 1e-9 || readout.Mean.abs().max().item<double>() < 1e-14);
            Assert.True(TestData.RelativeError(readout.Covariance, viaNtkGp.Covariance) < 1e-9);
        }
        var posterior = GaussianProcesses.NngpPosterior(trainTrain, testTrain, testTest, y);
        var k = trainTrain.Nngp;
        Assert.True(TestData.RelativeError(posterior.Mean, testTrain.Nngp.matmul(linalg.solve(k, y))) < 1e-7);
        Assert.True(TestData.RelativeError(posterior.Covariance, testTest.Nngp - testTrain.Nngp.matmul(linalg.solve(k, testTrain.Nngp.T))) < 1e-6);
        var late = GaussianProcesses.ReadoutOnly(trainTrain, testTrain, testTest, y, 0.7, 1e12);
        Assert.True(TestData.RelativeError(late.Mean, posterior.Mean) < 1e-6);
    }

    // Discrete time, by another method: run t steps of gradient descent on the linear model explicitly. The map from
    // the initial function on [X; T] to the trained one is linear, f_t = M_t f_0 + c_t, with M_t and c_t built by the
    // recursion r <- r - eta Theta r on the training residual (the test points follow through Theta_TX). Then the mean
    // is c_t and the covariance M_t K M_t^T exactly: no eigendecomposition, no sampling. Float64 products of a dozen
    // 12 x 12 matrices: agreement to ~1e-12.
    [Fact]
    public void NtkGp_InDiscreteTime_IsTheExactLawOfTStepsOfGradientDescent()
    {
        const int n = 8, m = 4, steps = 25;
        var (trainTrain, testTrain, testTest, joint) = Kernels(n, m);
        using var g = new Generator(7);
        var y = randn([n, 1], dtype: float64, generator: g);
        var eta = 1.0 / new NtkNotebooks.Spectrum.KernelSpectrum(trainTrain.Ntk).Max; // half the divergence limit
        // State [f(X); f(T)] as a linear function of f_0 (matrix [n + m, n + m]) plus a constant.
        var map = eye(n + m, dtype: float64);
        var constant = zeros(n + m, 1, dtype: float64);
        var rows = cat([trainTrain.Ntk, testTrain.Ntk], 0); // Theta([X; T], X)
        for (var s = 0; s < steps; s++)
        {
            // f <- f - eta Theta(., X) (f(X) - Y)
            map = map - eta * rows.matmul(map.narrow(0, 0, n));
            constant = constant - eta * rows.matmul(constant.narrow(0, 0, n) - y);
        }
        var testMap = map.narrow(0, n, m);
        var expectedCovariance = testMap.matmul(joint).matmul(testMap.T);
        var gp = GaussianProcesses.NtkGp(trainTrain, testTrain, testTest, y, eta, steps, NtkNotebooks.Training.LossReduction.Sum, discrete: true);
        Assert.True(TestData.RelativeError(gp.Mean, constant.narrow(0, n, m)) < 1e-10);
        Assert.True(TestData.RelativeError(gp.Covariance, expectedCovariance) < 1e-10);
        // ... and differs from gradient flow at the same t by far more than that (the check can tell them apart).
        var flow = GaussianProcesses.NtkGp(trainTrain, testTrain, testTest, y, eta, steps, NtkNotebooks.Training.LossReduction.Sum);
        Assert.True(TestData.RelativeError(flow.Covariance, expectedCovariance) > 1e-4);
    }
}
