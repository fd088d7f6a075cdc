using NtkNotebooks.Models;
using NtkNotebooks.Tests.Dynamics;
using NtkNotebooks.Training;

namespace NtkNotebooks.Tests.Training;

public class TrainerTests
{
    static FullyConnectedNetwork Net() => new(TestData.Fc(6, 32, 2, Activation.ReLU, sigmaB: 0.1), seed: 3);

    [Fact]
    public void Minibatches_AreReproducibleFromTheSeed_AndAFullBatchEqualsNoBatching()
    {
        var (train, test) = MseDynamicsTests.SmallTask(n: 12);
        TrainingOptions Options(int? batch, long seed) => new() { LearningRate = 0.5, Steps = 30, BatchSize = batch, Seed = seed, RecordAt = [0, 30] };
        var a = Trainer.Train(Net(), train, test, Options(4, 1));
        var b = Trainer.Train(Net(), train, test, Options(4, 1));
        var c = Trainer.Train(Net(), train, test, Options(4, 2));
        Assert.Equal(0.0, (a.Final.TestOutputs - b.Final.TestOutputs).abs().max().item<double>());
        Assert.True((a.Final.TestOutputs - c.Final.TestOutputs).abs().max().item<double>() > 1e-6, "another seed, another order");
        Assert.True(a.Final.TrainLoss < 0.5 * a.Snapshots[0].TrainLoss, "minibatch SGD trains");

        var full = Trainer.Train(Net(), train, test, Options(null, 1));
        var oneBatch = Trainer.Train(Net(), train, test, Options(12, 1));
        Assert.True(TestData.RelativeError(oneBatch.Final.TestOutputs, full.Final.TestOutputs) < 1e-12);
    }

    [Fact]
    public void Snapshots_FollowTheSchedule_AndRecordWhatWasAsked()
    {
        var (train, test) = MseDynamicsTests.SmallTask(n: 8);
        var history = Trainer.Train(Net(), train, test, new TrainingOptions
        {
            LearningRate = 0.5, Steps = 20, RecordAt = [0, 5, 20], RecordNtk = true, RecordNngp = true, TrackedWeights = 3,
        });
        Assert.Equal(new double[] { 0, 5, 20 }, history.Steps);
        Assert.Equal(["W1", "b1", "W2", "b2", "W3", "b3"], history.ParameterNames);
        Assert.All(history.Snapshots, s => Assert.Equal(new long[] { 8, 8 }, s.Ntk!.shape));
        Assert.All(history.Snapshots, s => Assert.Equal(3, s.TrackedWeights.Length));
        // The tracked weights are the named entries of the named tensor, at every snapshot (the trained model's own values).
        var model = Net();
        var trained = Trainer.Train(model, train, test, new TrainingOptions { LearningRate = 0.5, Steps = 20, RecordAt = [0, 20], TrackedWeights = 3 });
        var tensor = model.parameters().ElementAt(trained.TrackedParameter).detach().flatten();
        Assert.Equal(3, trained.TrackedIndices.Count);
        Assert.Equal(trained.TrackedIndices.Select(i => tensor[i].item<double>()).ToArray(), trained.Final.TrackedWeights);
        Assert.All(history.Snapshots[0].RelativeChange, v => Assert.Equal(0.0, v));
        Assert.All(history.Final.RelativeChange, v => Assert.True(v > 0));
        Assert.Equal(Schedules.LogSpaced(1000, 10), Schedules.LogSpaced(1000, 10).Distinct().Order());
        Assert.Equal(0, Schedules.LogSpaced(1000, 10)[0]);
        Assert.Equal(1000, Schedules.LogSpaced(1000, 10)[^1]);
    }

    [Fact]
    public void BadOptions_AndMismatchedData_FailClearly()
    {
        var (train, test) = MseDynamicsTests.SmallTask(n: 8, k: 2);
        var e = Assert.Throws<ArgumentException>(() => Trainer.Train(Net(), train, test, new TrainingOptions { LearningRate = 0.1, Steps = 1 }));
        Assert.Contains("[N, 1]", e.Message);
        var (ok, okTest) = MseDynamicsTests.SmallTask(n: 8);
        Assert.Throws<ArgumentOutOfRangeException>(() => Trainer.Train(Net(), ok, okTest, new TrainingOptions { LearningRate = -1, Steps = 1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => Trainer.Train(Net(), ok, okTest, new TrainingOptions { LearningRate = 1, Steps = 5, RecordAt = [7] }));
        Assert.Throws<ArgumentException>(() => Trainer.Train(Net(), ok, okTest, new TrainingOptions { LearningRate = 1, Steps = 5, ParameterRateScales = [1.0] }));
        Assert.Throws<ArgumentException>(() => Trainer.TrainSideBySide(() => new FullyConnectedNetwork(TestData.Fc(6, 8, 1, Activation.ReLU), seed: Random.Shared.Next()),
            ok, okTest, new TrainingOptions { LearningRate = 1, Steps = 1 }));
    }
}
