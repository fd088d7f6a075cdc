using NtkNotebooks.Models;
using NtkNotebooks.Training;

namespace NtkNotebooks.Tests.Dynamics;

public class ParameterizationTests
{
    [Fact]
    public void StandardAndNtkParameterizations_TrainIdentically_WithTheLayerwiseRatesOfS37()
    {
        var (train, test) = MseDynamicsTests.SmallTask(n: 10, m: 4, d: 6);
        var ntkArch = TestData.Fc(6, 64, 2, Activation.ReLU, sigmaW: Math.Sqrt(2), sigmaB: 0.3);
        var ntk = new FullyConnectedNetwork(ntkArch, seed: 7);
        var standard = new FullyConnectedNetwork(ntkArch.WithParameterization(Parameterization.Standard), seed: 7);
        var x = TestData.UnitRows(3, 6);
        Assert.True(TestData.RelativeError(standard.call(x), ntk.call(x)) < 1e-14); // same function at initialisation

        const double eta0 = 1.0;
        const int steps = 50;
        var ntkRun = Trainer.Train(ntk, train, test, new TrainingOptions
        {
            LearningRate = 1, Steps = steps, RecordAt = [steps], Momentum = 0.5,
            ParameterRateScales = LayerwiseRates.NtkRatesMatchingStandard(ntk, eta0),
        });
        var standardRun = Trainer.Train(standard, train, test, new TrainingOptions
        {
            LearningRate = LayerwiseRates.StandardRate(ntkArch, eta0), Steps = steps, RecordAt = [steps], Momentum = 0.5,
        });
        Assert.True(TestData.RelativeError(standardRun.Final.TestOutputs, ntkRun.Final.TestOutputs) < 1e-10);
        Assert.True(standardRun.Final.TrainLoss < 0.5 * Trainer.Train(new FullyConnectedNetwork(ntkArch, seed: 7), train, test,
            new TrainingOptions { LearningRate = 1, Steps = 1, RecordAt = [0] }).Final.TrainLoss, "and it actually trained");
    }
}
