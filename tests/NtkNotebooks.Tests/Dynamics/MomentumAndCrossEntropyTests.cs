using NtkNotebooks.Data;
using NtkNotebooks.Dynamics;
using NtkNotebooks.Kernels;
using NtkNotebooks.Linearization;
using NtkNotebooks.Models;
using NtkNotebooks.Spectrum;
using NtkNotebooks.Training;
using static TorchSharp.torch;

namespace NtkNotebooks.Tests.Dynamics;

public class MomentumAndCrossEntropyTests
{
    static FullyConnectedNetwork Net(int k = 1) => new(TestData.Fc(6, 24, 2, Activation.ReLU, outputs: k, sigmaB: 0.1), seed: 2);

    [Fact]
    public void MomentumRecursion_EqualsSgdWithMomentumOnTheLinearizedNetwork()
    {
        var (train, test) = MseDynamicsTests.SmallTask(k: 2);
        const int steps = 40;
        var options = new TrainingOptions { LearningRate = 0.5, Momentum = 0.9, Steps = steps, RecordAt = [steps] };
        var history = Trainer.Train(new LinearizedNetwork(Net(2)), train, test, options);
        var probe = Net(2);
        var theta = EmpiricalNtk.Compute(probe, train.X, outputs: KernelOutputs.Full);
        var (f0, f0Test) = (probe.call(train.X).detach(), probe.call(test.X).detach());
        var momentum = new MomentumDynamics(theta, train.Y, 0.5, 0.9);
        Assert.True(TestData.RelativeError(history.Final.TrainOutputs, momentum.TrainOutputs(f0, steps)) < 1e-9);
        Assert.True(TestData.RelativeError(history.Final.TestOutputs,
            momentum.TestOutputs(EmpiricalNtk.Compute(probe, test.X, train.X, KernelOutputs.Full), f0Test, f0, steps)) < 1e-7);
    }

    [Fact]
    public void DivergenceLimits_SeparateConvergingFromDivergingRates()
    {
        var (train, _) = MseDynamicsTests.SmallTask();
        var probe = Net();
        var theta = EmpiricalNtk.Compute(probe, train.X);
        var f0 = probe.call(train.X).detach();
        var spectrum = new KernelSpectrum(theta);
        foreach (var beta in new[] { 0.0, 0.9 })
        {
            var limit = spectrum.MaxLearningRate(beta, LossReduction.Mean, train.Y.numel());
            // Growth of the top mode's residual over 300 steps: |r|^300 with |r| ~ 0.95 below the limit, ~ 1.04-1.26 above it.
            double TopModeGrowth(double eta)
            {
                var r = spectrum.Project(new MomentumDynamics(theta, train.Y, eta, beta).TrainOutputs(f0, 300) - train.Y);
                return r[0].abs().sum().item<double>() / spectrum.Project(f0 - train.Y)[0].abs().sum().item<double>();
            }
            Assert.True(TopModeGrowth(0.98 * limit) < 1e-3, $"beta {beta}: converges just below the limit");
            Assert.True(TopModeGrowth(1.02 * limit) > 1e3, $"beta {beta}: diverges just above the limit");
            var e = Assert.Throws<ArgumentOutOfRangeException>(() => spectrum.EnsureConverges(1.02 * limit, beta, LossReduction.Mean, train.Y.numel()));
            Assert.Contains("divergence limit", e.Message);
        }
        var reconstructed = spectrum.Eigenvectors.matmul(diag(spectrum.Eigenvalues)).matmul(spectrum.Eigenvectors.T);
        Assert.True(TestData.RelativeError(reconstructed, theta) < 1e-12);
    }

    [Fact]
    public void Trainer_ReportsDivergenceWithTheStepAndRate()
    {
        var (train, test) = MseDynamicsTests.SmallTask();
        var e = Assert.Throws<ArithmeticException>(() =>
            Trainer.Train(Net(), train, test, new TrainingOptions { LearningRate = 1e4, Steps = 500, RecordAt = [0] }));
        Assert.Contains("divergence limit", e.Message);
        Assert.Contains("learning rate 10000", e.Message);
    }

    [Fact]
    public void DormandPrince_SolvesKnownOdes()
    {
        var y = DormandPrince.Solve((t, v) => -v, tensor(new[] { 1.0, 2.0 }, float64), [0.5, 1.0, 3.0]);
        Assert.Equal(Math.Exp(-3), y[2][0].item<double>(), 1e-8); // rtol 1e-8
        Assert.Equal(2 * Math.Exp(-1), y[1][1].item<double>(), 1e-8);
        var oscillator = DormandPrince.Solve((t, v) => stack([v[1], -v[0]]), tensor(new[] { 0.0, 1.0 }, float64), [10.0]);
        Assert.Equal(Math.Sin(10), oscillator[0][0].item<double>(), 1e-7);
        Assert.Throws<ArgumentException>(() => DormandPrince.Solve((t, v) => v, tensor(1.0, float64), [2.0, 1.0]));
    }

    [Fact]
    public void CrossEntropyOde_MatchesAFineFixedStepRungeKutta()
    {
        var x = TestData.UnitRows(10, 6, seed: 12);
        var labels = Enumerable.Range(0, 10).Select(i => i % 3).ToArray();
        var y = nn.functional.one_hot(tensor(labels.Select(l => (long)l).ToArray()), 3).to(float64);
        var net = Net(3);
        var theta = EmpiricalNtk.Compute(net, x.narrow(0, 0, 7));
        var thetaTest = EmpiricalNtk.Compute(net, x.narrow(0, 7, 3), x.narrow(0, 0, 7));
        var (f0, f0Test) = (net.call(x.narrow(0, 0, 7)).detach(), net.call(x.narrow(0, 7, 3)).detach());
        var yTrain = y.narrow(0, 0, 7);
        var solution = CrossEntropyDynamics.Solve(theta, thetaTest, yTrain, f0, f0Test, 1.0, [20.0], relativeTolerance: 1e-10);

        // Independent check: classical RK4 with 4000 fixed steps (error ~ h^4 ~ 1e-11) on the same ODE.
        var eta = 1.0 / yTrain.numel();
        var stacked = cat([theta, thetaTest], 0);
        Tensor F(Tensor s) => -eta * stacked.matmul(s.narrow(0, 0, 7).softmax(1) - yTrain);
        var state = cat([f0, f0Test], 0);
        var h = 20.0 / 4000;
        for (var i = 0; i < 4000; i++)
        {
            var k1 = F(state); var k2 = F(state + h / 2 * k1); var k3 = F(state + h / 2 * k2); var k4 = F(state + h * k3);
            state = state + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4);
        }
        Assert.True(TestData.RelativeError(solution[0].Train, state.narrow(0, 0, 7)) < 1e-8);
        Assert.True(TestData.RelativeError(solution[0].Test, state.narrow(0, 7, 3)) < 1e-8);
    }

    [Fact]
    public void CrossEntropyOde_WithFullBlocksOfTheFormThetaTimesIdentity_EqualsTheScalarKernel()
    {
        var x = TestData.UnitRows(6, 6, seed: 2);
        var y = nn.functional.one_hot(tensor(new long[] { 0, 1, 2, 0, 1 }), 3).to(float64);
        var net = Net(3);
        var theta = EmpiricalNtk.Compute(net, x.narrow(0, 0, 5));
        var thetaTest = EmpiricalNtk.Compute(net, x.narrow(0, 5, 1), x.narrow(0, 0, 5));
        var identity = eye(3, dtype: float64);
        Tensor Blocks(Tensor k) => k.unsqueeze(-1).unsqueeze(-1) * identity;
        var (f0, f0Test) = (net.call(x.narrow(0, 0, 5)).detach(), net.call(x.narrow(0, 5, 1)).detach());
        var scalar = CrossEntropyDynamics.Solve(theta, thetaTest, y, f0, f0Test, 2.0, [5.0, 50.0]);
        var full = CrossEntropyDynamics.Solve(Blocks(theta), Blocks(thetaTest), y, f0, f0Test, 2.0, [5.0, 50.0]);
        for (var i = 0; i < 2; i++)
        {
            Assert.True(TestData.RelativeError(full[i].Train, scalar[i].Train) < 1e-9);
            Assert.True(TestData.RelativeError(full[i].Test, scalar[i].Test) < 1e-9);
        }
        Assert.Throws<ArgumentException>(() => CrossEntropyDynamics.Solve(Blocks(theta), thetaTest, y, f0, f0Test, 2.0, [1.0]));
    }
}
