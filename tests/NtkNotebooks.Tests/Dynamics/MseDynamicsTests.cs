using NtkNotebooks.Data;
using NtkNotebooks.Dynamics;
using NtkNotebooks.Kernels;
using NtkNotebooks.Linearization;
using NtkNotebooks.Models;
using NtkNotebooks.Training;
using static TorchSharp.torch;

namespace NtkNotebooks.Tests.Dynamics;

public class MseDynamicsTests
{
    internal static (Dataset Train, Dataset Test) SmallTask(int n = 12, int m = 5, int d = 6, int k = 1, ulong seed = 3)
    {
        var x = TestData.UnitRows(n + m, d, seed);
        using var g = new Generator(seed + 100);
        var y = randn([n + m, k], dtype: float64, generator: g);
        var labels = new int[n + m];
        return (new Dataset(x.narrow(0, 0, n), y.narrow(0, 0, n), labels[..n]), new Dataset(x.narrow(0, n, m), y.narrow(0, n, m), labels[n..]));
    }

    static FullyConnectedNetwork Net(int k = 1, long seed = 1) =>
        new(TestData.Fc(6, 32, 2, Activation.Tanh, outputs: k, sigmaW: 1.5, sigmaB: 0.2), seed);

    [Theory]
    [InlineData(LossReduction.Mean, 1)]
    [InlineData(LossReduction.Sum, 2)]
    public void DiscreteClosedForm_EqualsGradientDescentOnTheLinearizedNetwork(LossReduction reduction, int k)
    {
        // Weight-space SGD on f_lin and the function-space closed form are the same linear recursion: they agree to
        // round-off (float64), on training outputs (Eq 8), test outputs (Eq 10-11) and weights (Eq 9).
        var (train, test) = SmallTask(k: k);
        var steps = 60;
        var lr = reduction == LossReduction.Mean ? 1.0 : 0.05;
        int[] recorded = [0, 7, 25, steps];
        var options = new TrainingOptions { LearningRate = lr, Steps = steps, Reduction = reduction, RecordAt = recorded };
        var linearized = new LinearizedNetwork(Net(k));
        var history = Trainer.Train(linearized, train, test, options, "linearized");

        var probe = Net(k);
        // A finite network's k outputs are coupled through the off-diagonal output blocks: use the full kernel.
        var theta = EmpiricalNtk.Compute(probe, train.X, outputs: KernelOutputs.Full);
        var thetaTest = EmpiricalNtk.Compute(probe, test.X, train.X, KernelOutputs.Full);
        var f0 = probe.call(train.X).detach();
        var f0Test = probe.call(test.X).detach();
        var dynamics = new MseDynamics(theta, train.Y, lr, reduction);

        Assert.True(TestData.RelativeError(history.Final.TrainOutputs, dynamics.TrainOutputs(f0, steps, discrete: true)) < 1e-10);
        Assert.True(TestData.RelativeError(history.Final.TestOutputs, dynamics.TestOutputs(thetaTest, f0Test, f0, steps, discrete: true)) < 1e-10);
        // The whole trajectory at once (one projection for all times) follows the recorded steps too.
        var times = recorded.Select(step => (double)step).ToArray();
        var trainPath = dynamics.TrainOutputs(f0, times, discrete: true);
        var testPath = dynamics.TestOutputs(thetaTest, f0Test, f0, times, discrete: true);
        Assert.Equal([recorded.Length, train.Y.shape[0], k], trainPath.shape);
        Assert.Equal([recorded.Length, test.Y.shape[0], k], testPath.shape);
        for (var i = 0; i < recorded.Length; i++)
        {
            var snapshot = history.Snapshots.Single(s => s.Step == recorded[i]);
            Assert.True(TestData.RelativeError(snapshot.TrainOutputs, trainPath[i]) < 1e-10, $"train, step {recorded[i]}");
            Assert.True(TestData.RelativeError(snapshot.TestOutputs, testPath[i]) < 1e-10, $"test, step {recorded[i]}");
        }
        var omega = dynamics.WeightChange(probe, train.X, f0, steps, discrete: true);
        foreach (var (closed, trained) in omega.Zip(linearized.WeightChange()))
            Assert.True(TestData.RelativeError(trained, closed) < 1e-9);
    }

    [Fact]
    public void ContinuousClosedForm_IsTheLimitOfSmallSteps()
    {
        // Gradient descent with step eta approximates gradient flow with error O(eta) at fixed flow time tau = eta t.
        var (train, _) = SmallTask();
        var probe = Net();
        var theta = EmpiricalNtk.Compute(probe, train.X);
        var f0 = probe.call(train.X).detach();
        var tau = 3.0 / new NtkNotebooks.Spectrum.KernelSpectrum(theta).Max; // flow time of 3 units of the fastest mode
        var errors = new[] { 0.4, 0.2, 0.1, 0.05 }.Select(c => c / new NtkNotebooks.Spectrum.KernelSpectrum(theta).Max).Select(eta =>
        {
            var dynamics = new MseDynamics(theta, train.Y, eta, LossReduction.Sum);
            var steps = Math.Round(tau / eta);
            return (dynamics.TrainOutputs(f0, steps, discrete: true) - dynamics.TrainOutputs(f0, steps)).abs().max().item<double>();
        }).ToArray();
        for (var i = 1; i < errors.Length; i++)
            Assert.InRange(errors[i - 1] / errors[i], 1.7, 2.3); // first order: halving eta halves the error
    }

    [Fact]
    public void TimeZero_ReturnsInitialOutputs_AndInfinity_IsKernelRegression()
    {
        var (train, test) = SmallTask(k: 2);
        var probe = Net(k: 2);
        var theta = EmpiricalNtk.Compute(probe, train.X); // a scalar kernel shared by the two outputs
        var thetaTest = EmpiricalNtk.Compute(probe, test.X, train.X);
        var (f0, f0Test) = (probe.call(train.X).detach(), probe.call(test.X).detach());
        var dynamics = new MseDynamics(theta, train.Y, 0.5);
        Assert.True(TestData.RelativeError(dynamics.TrainOutputs(f0, 0), f0) < 1e-13);
        Assert.True(TestData.RelativeError(dynamics.TestOutputs(thetaTest, f0Test, f0, 0), f0Test) < 1e-13);

        var regression = f0Test + thetaTest.matmul(linalg.solve(theta, train.Y - f0));
        Assert.True(TestData.RelativeError(dynamics.TestOutputs(thetaTest, f0Test, f0, double.PositiveInfinity), regression) < 1e-8);
        Assert.True(TestData.RelativeError(dynamics.TrainOutputs(f0, double.PositiveInfinity), train.Y) < 1e-10);
        // and the finite-time solution converges to it
        Assert.True(TestData.RelativeError(dynamics.TestOutputs(thetaTest, f0Test, f0, 1e9), regression) < 1e-6);
    }

    [Fact]
    public void SingularKernel_GivesFiniteOutputs_AndThePseudoInverseSolution()
    {
        // Duplicate training points make Theta exactly singular. No NaN anywhere; at t = infinity the null mode keeps
        // its initial residual (pseudo-inverse), and a ridge delta gives the Tikhonov solution (Theta + delta I)^{-1}.
        var (train, test) = SmallTask(n: 6);
        var x = cat([train.X, train.X.narrow(0, 0, 2)], 0);
        var y = cat([train.Y, train.Y.narrow(0, 0, 2)], 0);
        var probe = Net();
        var theta = EmpiricalNtk.Compute(probe, x);
        var thetaTest = EmpiricalNtk.Compute(probe, test.X, x);
        var (f0, f0Test) = (probe.call(x).detach(), probe.call(test.X).detach());
        var dynamics = new MseDynamics(theta, y, 1.0);
        Assert.True(dynamics.Spectrum.Min < 1e-10 * dynamics.Spectrum.Max);
        foreach (var t in new[] { 0.0, 10.0, 1e6, double.PositiveInfinity })
        {
            Assert.True(dynamics.TrainOutputs(f0, t).isfinite().all().item<bool>(), $"t = {t}");
            Assert.True(dynamics.TestOutputs(thetaTest, f0Test, f0, t).isfinite().all().item<bool>(), $"t = {t}");
        }
        var pinv = f0Test + thetaTest.matmul(linalg.pinv(theta, rtol: 1e-10).matmul(y - f0));
        Assert.True(TestData.RelativeError(dynamics.TestOutputs(thetaTest, f0Test, f0, double.PositiveInfinity), pinv) < 1e-6);

        var ridge = 1e-3;
        var ridged = new MseDynamics(theta, y, 1.0, ridge: ridge);
        var tikhonov = f0Test + thetaTest.matmul(linalg.solve(theta + ridge * eye(8, dtype: float64), y - f0));
        Assert.True(TestData.RelativeError(ridged.TestOutputs(thetaTest, f0Test, f0, double.PositiveInfinity), tikhonov) < 1e-9);
    }

    [Fact]
    public void BadArguments_FailClearly()
    {
        var (train, _) = SmallTask();
        var theta = eye(12, dtype: float64);
        Assert.Equal("learningRate", Assert.Throws<ArgumentOutOfRangeException>(() => new MseDynamics(theta, train.Y, 0)).ParamName);
        Assert.Contains("[12, k]", Assert.Throws<ArgumentException>(() => new MseDynamics(theta, ones(5, 1, dtype: float64), 1)).Message);
        var dynamics = new MseDynamics(theta, train.Y, 1);
        Assert.Contains("f0Train", Assert.Throws<ArgumentException>(() => dynamics.TrainOutputs(ones(3, 1, dtype: float64), 1)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => dynamics.TrainOutputs(train.Y, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => dynamics.TrainOutputs(train.Y, 1.5, discrete: true));
        Assert.Equal("times", Assert.Throws<ArgumentException>(() => dynamics.TrainOutputs(train.Y, Array.Empty<double>())).ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => dynamics.TestOutputs(theta, train.Y, train.Y, [1.0, -2.0]));
        Assert.Contains("NaN", Assert.Throws<ArithmeticException>(() => new MseDynamics(full(3, 3, double.NaN, dtype: float64), ones(3, 1, dtype: float64), 1)).Message);
    }

    [Fact]
    public void LinearizedCnn_TrainsExactlyAsTheClosedFormWithItsEmpiricalKernel()
    {
        // The generic (double-backward) linearization path, end to end: weight-space GD on f_lin of a CNN equals Eq 8-11.
        var x = TestData.UnitRows(10, 25, seed: 5) * 5;
        using var g = new Generator(9);
        var y = randn([10, 2], dtype: float64, generator: g);
        var (train, test) = (new Dataset(x.narrow(0, 0, 7), y.narrow(0, 0, 7), new int[7]), new Dataset(x.narrow(0, 7, 3), y.narrow(0, 7, 3), new int[3]));
        ConvolutionalNetwork Cnn() => new((1, 5, 5), [3, 3], 2, Activation.Tanh, sigmaW: 1.3, sigmaB: 0.1, seed: 4);
        const int steps = 25;
        var history = Trainer.Train(new LinearizedNetwork(Cnn()), train, test, new TrainingOptions { LearningRate = 0.5, Steps = steps, RecordAt = [steps] });
        var probe = Cnn();
        var dynamics = new MseDynamics(EmpiricalNtk.Compute(probe, train.X, outputs: KernelOutputs.Full), train.Y, 0.5);
        var (f0, f0Test) = (probe.call(train.X).detach(), probe.call(test.X).detach());
        Assert.True(TestData.RelativeError(history.Final.TrainOutputs, dynamics.TrainOutputs(f0, steps, discrete: true)) < 1e-9);
        Assert.True(TestData.RelativeError(history.Final.TestOutputs,
            dynamics.TestOutputs(EmpiricalNtk.Compute(probe, test.X, train.X, KernelOutputs.Full), f0Test, f0, steps, discrete: true)) < 1e-9);
    }
}
