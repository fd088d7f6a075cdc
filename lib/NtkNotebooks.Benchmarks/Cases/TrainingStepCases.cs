using NtkNotebooks.Benchmarks.Harness;
using NtkNotebooks.Linearization;
using NtkNotebooks.Models;
using NtkNotebooks.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace NtkNotebooks.Benchmarks.Cases;

/// <summary>
/// One full-batch SGD step (forward, mean MSE loss, backward, optimizer step) of a 784-3xw-10 ReLU network and of
/// its <see cref="LinearizedNetwork"/>, float32, against the peer's torch.optim.SGD step of the same network and of
/// its linearization f_0 + functorch.jvp. The correctness check compares the outputs after one step from the same
/// initialisation.
/// </summary>
public static class TrainingStepCases
{
    const double LearningRate = 0.5;

    /// <summary>Measures the network and the linearization.</summary>
    public static IEnumerable<CaseResult> Run(BenchmarkContext context)
    {
        var sizes = context.Sizes;
        var architecture = BenchmarkInputs.Relu(sizes.InputDim, sizes.NetworkDepth, sizes.TrainingWidth, sizes.TrainingOutputs);
        using var x = BenchmarkInputs.Images(sizes.TrainingCount, sizes.InputDim, seed: 7);
        using var generator = new Generator(8);
        using var y = randn([sizes.TrainingCount, sizes.TrainingOutputs], dtype: float32, generator: generator);
        var name = $"SGD step, FC {sizes.InputDim}-{sizes.NetworkDepth}x{sizes.TrainingWidth}-{sizes.TrainingOutputs} ReLU, N = {sizes.TrainingCount}";

        // Both models start from the same seed-1 weights, which the peer reads too.
        INtkNetwork Network() => new FullyConnectedNetwork(architecture, seed: 1, dtype: ScalarType.Float32);
        INtkNetwork Linearized() => new LinearizedNetwork(Network());

        yield return Progress.Report(context.Log, Measure(context, architecture, name, "network", Network, x, y,
            FlopCount.TrainingStep(architecture.LayerWidths, sizes.TrainingCount)));
        yield return Progress.Report(context.Log, Measure(context, architecture, name, "linearized", Linearized, x, y,
            FlopCount.LinearizedTrainingStep(architecture.LayerWidths, sizes.TrainingCount)));
    }

    static CaseResult Measure(BenchmarkContext context, FullyConnectedArchitecture architecture, string name, string model, Func<INtkNetwork> create, Tensor x, Tensor y, double flops)
    {
        var peerId = context.Peer is { } peer ? BenchmarkInputs.AddTrainingStepTask(peer, architecture, model, x, y, LearningRate) : null;

        // Correctness: the outputs after one step from the initialisation.
        var checkModel = create();
        using (var checkOptimizer = optim.SGD(checkModel.parameters(), LearningRate)) Step(checkModel, checkOptimizer, x, y);
        Tensor afterOneStep;
        using (no_grad()) afterOneStep = checkModel.call(x).to(float64);
        ((IDisposable)checkModel).Dispose();

        var timedModel = create();
        using var optimizer = optim.SGD(timedModel.parameters(), LearningRate);
        var (timing, _) = Stopwatches.Measure(() =>
        {
            Step(timedModel, optimizer, x, y);
            return null;
        }, context.Sizes.Policy);
        ((IDisposable)timedModel).Dispose();
        return new CaseResult
        {
            Name = name,
            Method = model == "network" ? "network / torch" : "LinearizedNetwork / functorch.jvp",
            DType = ScalarType.Float32,
            Ours = timing,
            Flops = flops,
            PeerId = peerId,
            Output = afterOneStep,
        };
    }

    // What Trainer.Train does per step.
    static void Step(INtkNetwork model, optim.Optimizer optimizer, Tensor x, Tensor y)
    {
        optimizer.zero_grad();
        var loss = Losses.Compute(model.call(x), y, LossKind.Mse, LossReduction.Mean);
        _ = loss.ToDouble(); // Trainer reads the loss every step (item<double>() there; a float32 loss needs ToDouble)
        loss.backward();
        optimizer.step();
    }
}
