using NtkNotebooks.Data;
using NtkNotebooks.Dynamics;
using NtkNotebooks.Kernels;
using NtkNotebooks.Linearization;
using NtkNotebooks.Models;
using NtkNotebooks.Spectrum;
using NtkNotebooks.Tests.Dynamics;
using NtkNotebooks.Training;
using static TorchSharp.torch;

namespace NtkNotebooks.Tests;

/// <summary>
/// Classes of bad input that once passed silently or reached libtorch: each gets a .NET exception that names the
/// argument and says what was expected.
/// </summary>
public class BadInputTests
{
    static FullyConnectedNetwork Net(int k = 1) => new(TestData.Fc(6, 16, 1, Activation.ReLU, outputs: k), seed: 2);

    static (Tensor Theta, Tensor F0, Dataset Train, Dataset Test) Task(int k = 1)
    {
        var (train, test) = MseDynamicsTests.SmallTask(k: k);
        var probe = Net(k);
        return (EmpiricalNtk.Compute(probe, train.X), probe.call(train.X).detach(), train, test);
    }

    static Tensor OneHot(int n, int k) => nn.functional.one_hot(arange(n, dtype: ScalarType.Int64) % k, k).to(float64);

    [Fact]
    public void SiblingDynamics_RejectTheSameIllShapedOutputs()
    {
        var (theta, f0, train, _) = Task();
        var flat = f0.squeeze(1); // [N] instead of [N, 1]
        Assert.Contains("f0Train", Assert.Throws<ArgumentException>(() => new MseDynamics(theta, train.Y, 0.5).TrainOutputs(flat, 3)).Message);
        Assert.Contains("f0Train", Assert.Throws<ArgumentException>(() => new MomentumDynamics(theta, train.Y, 0.5, 0.9).TrainOutputs(flat, 3)).Message);
        Assert.Contains("f0Train", Assert.Throws<ArgumentException>(() => new MomentumDynamics(theta, train.Y, 0.5, 0.9).TestOutputs(theta, f0, flat, 3)).Message);
        var y = OneHot(12, 2);
        Assert.Contains("f0Train", Assert.Throws<ArgumentException>(() => CrossEntropyDynamics.Solve(theta, theta, y, flat, zeros(12, 2, dtype: float64), 0.5, [1.0])).Message);
    }

    [Fact]
    public void DiscreteDynamicsAboveTheDivergenceLimit_HaveNoInfiniteTimeLimit_AndOverflowLoudly()
    {
        var (theta, f0, train, _) = Task();
        var limit = new KernelSpectrum(theta).MaxLearningRate(0, LossReduction.Mean, train.Y.numel());
        var dynamics = new MseDynamics(theta, train.Y, 1.5 * limit);
        Assert.True(dynamics.Diverges);
        var atInfinity = Assert.Throws<ArgumentOutOfRangeException>(() => dynamics.TrainOutputs(f0, double.PositiveInfinity, discrete: true));
        Assert.Contains("divergence limit", atInfinity.Message);
        Assert.True(Guard.AllFinite(dynamics.TrainOutputs(f0, 20, discrete: true)), "a short divergent run is a finite, growing answer");
        var overflow = Assert.Throws<ArithmeticException>(() => dynamics.TrainOutputs(f0, 1e6, discrete: true));
        Assert.Contains("divergence limit", overflow.Message);
        Assert.Contains("divergence limit", Assert.Throws<ArithmeticException>(() =>
            new MomentumDynamics(theta, train.Y, 3 * limit, 0.5).TrainOutputs(f0, 100000)).Message);
        // Gradient flow and rates below the limit still reach t = infinity.
        Assert.True(Guard.AllFinite(new MseDynamics(theta, train.Y, 0.5 * limit).TrainOutputs(f0, double.PositiveInfinity, discrete: true)));
    }

    [Fact]
    public void CrossEntropy_NeedsOneHotTargetsAndAtLeastTwoOutputs()
    {
        var (theta, _, _, _) = Task();
        var soft = OneHot(12, 2) * 0.9 + 0.05; // label smoothing is not one-hot
        var f0 = zeros(12, 2, dtype: float64);
        Assert.Contains("one-hot", Assert.Throws<ArgumentException>(() => CrossEntropyDynamics.Solve(theta, theta, soft, f0, f0, 0.5, [1.0])).Message);
        Assert.Contains("k >= 2", Assert.Throws<ArgumentException>(() =>
            CrossEntropyDynamics.Solve(theta, theta, ones(12, 1, dtype: float64), zeros(12, 1, dtype: float64), zeros(12, 1, dtype: float64), 0.5, [1.0])).Message);
        Assert.Contains("k >= 2", Assert.Throws<ArgumentException>(() => Losses.Compute(zeros(3, 1), ones(3, 1), LossKind.CrossEntropy, LossReduction.Mean)).Message);

        var (train, test) = MseDynamicsTests.SmallTask(k: 1);
        var options = new TrainingOptions { LearningRate = 0.1, Steps = 1, Loss = LossKind.CrossEntropy };
        Assert.Contains("k >= 2", Assert.Throws<ArgumentException>(() => Trainer.Train(Net(1), train, test, options)).Message);
        var (train2, test2) = MseDynamicsTests.SmallTask(k: 2); // Gaussian targets, not one-hot
        Assert.Contains("one-hot", Assert.Throws<ArgumentException>(() => Trainer.Train(Net(2), train2, test2, options)).Message);
    }

    [Fact]
    public void Kernels_MustBeSymmetricAndPositiveSemiDefinite_UpToTheStatedRoundOff()
    {
        var y = ones(2, 1, dtype: float64);
        var asymmetric = tensor(new double[] { 2, 1, 0, 2 }, [2, 2], float64);
        Assert.Contains("symmetric", Assert.Throws<ArgumentException>(() => new MseDynamics(asymmetric, y, 0.1)).Message);
        var indefinite = tensor(new double[] { 1, 2, 2, 1 }, [2, 2], float64); // eigenvalues 3 and -1
        Assert.Contains("positive semi-definite", Assert.Throws<ArgumentException>(() => new KernelSpectrum(indefinite)).Message);

        // Round-off of a float32 Gram matrix (asymmetry and tiny negative eigenvalues of a rank-deficient J J^T) is accepted.
        using var g = new Generator(5);
        var j = randn([40, 8], dtype: float32, generator: g);
        var gram = j.matmul(j.T); // rank 8 of 40: 32 eigenvalues are round-off around 0
        var spectrum = new KernelSpectrum(gram);
        Assert.True(spectrum.Min > -KernelSpectrum.RoundOffTolerance(ScalarType.Float32, 40) * spectrum.Max);

        // The same Gram matrix widened to float64 (as an empirical NTK of a float32 network is) still carries float32
        // round-off: refused under float64's tolerance (its negative eigenvalues are far above 64 N 2^-53), accepted when
        // the caller says it was computed in float32.
        var widened = gram.to(float64);
        Assert.True(spectrum.Min < -KernelSpectrum.RoundOffTolerance(ScalarType.Float64, 40) * spectrum.Max);
        Assert.Contains("positive semi-definite", Assert.Throws<ArgumentException>(() => new KernelSpectrum(widened)).Message);
        Assert.Equal(spectrum.Min, new KernelSpectrum(widened, computedIn: ScalarType.Float32).Min, 1e-12 * spectrum.Max);
    }

    [Fact]
    public void Linearizing_LeavesTheNetworkTrainable_AndOutOfTheLinearizationsGraph()
    {
        var (train, test) = MseDynamicsTests.SmallTask();
        var network = Net();
        var linearized = new LinearizedNetwork(network);
        Assert.All(network.parameters(), p => Assert.True(p.requires_grad));
        linearized.call(train.X).sum().backward();
        Assert.All(network.parameters(), p => Assert.True(p.grad is null || p.grad.IsInvalid, "no gradient flows into the linearized network's base"));
        var history = Trainer.Train(network, train, test, new TrainingOptions { LearningRate = 0.5, Steps = 5, RecordAt = [0, 5] });
        Assert.True(history.Final.TrainLoss < history.Snapshots[0].TrainLoss);
    }

    [Fact]
    public void NullAndEmptyArguments_GetArgumentExceptions()
    {
        var (theta, f0, train, test) = Task();
        var net = Net();
        Assert.Throws<ArgumentNullException>(() => Losses.Compute(null!, f0, LossKind.Mse, LossReduction.Mean));
        Assert.Throws<ArgumentNullException>(() => Losses.Accuracy(f0, null!));
        Assert.Throws<ArgumentNullException>(() => new KernelSpectrum(null!));
        Assert.Throws<ArgumentNullException>(() => new KernelSpectrum(theta).Project(null!));
        Assert.Throws<ArgumentNullException>(() => new MseDynamics(null!, train.Y, 0.1));
        Assert.Throws<ArgumentNullException>(() => new MseDynamics(theta, train.Y, 0.1).TrainOutputs(null!, 1.0));
        Assert.Throws<ArgumentNullException>(() => CrossEntropyDynamics.Solve(theta, theta, null!, f0, f0, 0.1, [1.0]));
        Assert.Throws<ArgumentNullException>(() => Tangents.Vjp(null!, train.X, f0));
        Assert.Throws<ArgumentNullException>(() => Tangents.Vjp(net, null!, f0));
        Assert.Throws<ArgumentNullException>(() => EmpiricalNtk.Compute(null!, train.X));
        Assert.Throws<ArgumentNullException>(() => AnalyticKernels.Compute(null!, train.X));
        Assert.Throws<ArgumentNullException>(() => Synthetic.InterpolationPath(null!, train.X[0]));
        var options = new TrainingOptions { LearningRate = 0.1, Steps = 1 };
        Assert.Throws<ArgumentException>(() => Trainer.Train(net, train with { X = null! }, test, options));
        Assert.Contains("empty", Assert.Throws<ArgumentException>(() =>
            Trainer.Train(net, new Dataset(zeros(0, 6, dtype: float64), zeros(0, 1, dtype: float64), []), test, options)).Message);
    }
}
