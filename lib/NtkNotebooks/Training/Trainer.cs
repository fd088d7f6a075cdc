using NtkNotebooks.Data;
using NtkNotebooks.Kernels;
using NtkNotebooks.Linearization;
using NtkNotebooks.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NtkNotebooks.Training;

/// <summary>
/// Trains networks, and networks next to their linearizations, with TorchSharp's SGD (plain, minibatch, momentum)
/// on MSE or cross-entropy, recording outputs, losses, accuracies, individual weights, per-tensor parameter change and
/// optionally the empirical NTK and NNGP at chosen steps: Figures 1 and 3 are one call each.
/// </summary>
/// <remarks>
/// Everything runs on the model's device; the data must already be there. The host reads values back only at recorded
/// steps and every <see cref="DivergenceCheckInterval"/> steps (a divergence check), never once per step: on a GPU
/// each read waits for all queued work. Minibatch orders are drawn on the CPU from <see cref="TrainingOptions.Seed"/>
/// (so a seed gives the same batches on every device) and copied to the device once per epoch.
/// </remarks>
public static class Trainer
{
    /// <summary>Steps between two reads of the training loss that check it is finite (besides the recorded steps).</summary>
    public const int DivergenceCheckInterval = 32;

    /// <summary>
    /// Trains <c>createNetwork()</c> and the linearization of a second <c>createNetwork()</c> (same initialisation)
    /// with the same optimizer, data, minibatch order and options.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="createNetwork"/> is not deterministic.</exception>
    public static SideBySideResult TrainSideBySide(Func<INtkNetwork> createNetwork, Dataset train, Dataset test, TrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(createNetwork);
        var network = createNetwork();
        var linearized = new LinearizedNetwork(createNetwork());
        foreach (var (a, b) in network.parameters().Zip(linearized.InitialParameters))
        {
            using var same = a.detach().eq(b).all();
            if (!same.item<bool>())
                throw new ArgumentException("createNetwork must build the same initialisation every call (use a fixed seed).", nameof(createNetwork));
        }
        return new SideBySideResult(Train(network, train, test, options, "network"), Train(linearized, train, test, options, "linearized"));
    }

    /// <summary>Trains one model (a network or a <see cref="LinearizedNetwork"/>) and records its history.</summary>
    public static TrainingHistory Train(INtkNetwork model, Dataset train, Dataset test, TrainingOptions options, string name = "network")
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (options.Loss == LossKind.CrossEntropy && model.Outputs < 2)
            throw new ArgumentException($"Cross-entropy needs a model with k >= 2 outputs (a softmax over one logit is constant), but it has {model.Outputs}.", nameof(model));
        CheckData(model, train, nameof(train), options.Loss);
        CheckData(model, test, nameof(test), options.Loss);

        var xTrain = model.PrepareInput(train.X, "train.X");
        var yTrain = train.Y.to(model.DType);
        var xTest = model.PrepareInput(test.X, "test.X");
        var yTest = test.Y.to(model.DType);
        var parameters = model.parameters().ToArray();
        var names = ((nn.Module)model).named_parameters().Select(p => p.name).ToArray();
        var initial = parameters.Select(p => p.detach().clone()).ToArray();
        var tracked = TrackedIndices(parameters, options.TrackedWeights);
        var record = new HashSet<int>(options.RecordAt ?? Schedules.LogSpaced(options.Steps));
        var snapshots = new List<TrainingSnapshot>();
        var n = (int)xTrain.shape[0];
        var batch = Math.Min(options.BatchSize ?? n, n);
        using var generator = new Generator((ulong)options.Seed);
        Tensor? order = null;
        var position = n;

        if (options.ParameterRateScales is { } scales && scales.Count != parameters.Length)
            throw new ArgumentException($"ParameterRateScales has {scales.Count} entries but the model has {parameters.Length} parameter tensors.", nameof(options));
        using var optimizer = options.ParameterRateScales is { } rates
            ? optim.SGD(parameters.Select((p, i) => new SGD.ParamGroup([p], options.LearningRate * rates[i], options.Momentum)), options.LearningRate, options.Momentum)
            : optim.SGD(parameters, options.LearningRate, momentum: options.Momentum);
        for (var step = 0; ; step++)
        {
            if (record.Contains(step))
            {
                var snapshot = Snapshot(model, step, xTrain, yTrain, xTest, yTest, options, initial, tracked);
                snapshots.Add(snapshot);
                options.Progress?.Report(new TrainingProgress(name, step, options.Steps, snapshot.TrainLoss));
            }
            if (step == options.Steps) break;

            using var scope = NewDisposeScope();
            Tensor xb = xTrain, yb = yTrain;
            if (batch < n)
            {
                if (position + batch > n)
                {
                    order?.Dispose();
                    order = randperm(n, generator: generator).to(xTrain.device).MoveToOuterDisposeScope();
                    position = 0;
                }
                var idx = order!.narrow(0, position, batch);
                position += batch;
                (xb, yb) = (xTrain.index_select(0, idx), yTrain.index_select(0, idx));
            }
            optimizer.zero_grad();
            var loss = Losses.Compute(model.call(xb), yb, options.Loss, options.Reduction);
            if (step % DivergenceCheckInterval == 0 || step == options.Steps - 1)
            {
                var value = loss.detach().to(float64).item<double>();
                if (!double.IsFinite(value))
                    throw new ArithmeticException(
                        $"The {name}'s training loss became {value} at or before step {step} (checked every {DivergenceCheckInterval} steps; " +
                        $"learning rate {options.LearningRate}, {options.Reduction} loss): " +
                        "the learning rate is probably above the divergence limit (KernelSpectrum.MaxLearningRate).");
            }
            loss.backward();
            optimizer.step();
        }
        order?.Dispose();
        return new TrainingHistory(name, names, snapshots) { TrackedParameter = tracked.Parameter, TrackedIndices = tracked.Flat };
    }

    static TrainingSnapshot Snapshot(INtkNetwork model, int step, Tensor xTrain, Tensor yTrain, Tensor xTest, Tensor yTest,
        TrainingOptions options, Tensor[] initial, (int Parameter, long[] Flat) tracked)
    {
        Tensor fTrain, fTest;
        using (no_grad())
        {
            fTrain = model.call(xTrain).to(float64);
            fTest = model.call(xTest).to(float64);
        }
        var parameters = model.parameters().ToArray();
        var change = parameters.Zip(initial, (p, p0) =>
        {
            using var _ = no_grad();
            var norm0 = p0.to(float64).norm().item<double>();
            return norm0 == 0 ? double.NaN : (p.detach() - p0).to(float64).norm().item<double>() / norm0;
        }).ToArray();
        var weights = tracked.Flat.Select(i => parameters[tracked.Parameter].detach().flatten()[i].to(float64).item<double>()).ToArray();
        var kernelInputs = options.KernelInputs ?? xTrain;
        var ntk = options.RecordNtk && model is not LinearizedNetwork ? EmpiricalNtk.Compute(model, kernelInputs) : null;
        var nngp = options.RecordNngp && model is FullyConnectedNetwork fc ? EmpiricalNngp.FromFeatures(fc, kernelInputs) : null;
        double Loss(Tensor f, Tensor y)
        {
            using var l = Losses.Compute(f, y.to(float64), options.Loss, options.Reduction);
            return l.item<double>();
        }
        return new TrainingSnapshot(step, fTrain, fTest, Loss(fTrain, yTrain), Loss(fTest, yTest),
            Losses.Accuracy(fTrain, yTrain), Losses.Accuracy(fTest, yTest), weights, change, ntk, nngp);
    }

    // Evenly spaced entries of the middle parameter tensor (a hidden layer's weights for deep fully connected nets).
    static (int Parameter, long[] Flat) TrackedIndices(Parameter[] parameters, int count)
    {
        var middle = parameters.Length / 2;
        var size = parameters[middle].numel();
        var indices = Enumerable.Range(0, (int)Math.Min(count, size)).Select(i => (long)((i + 0.5) * size / Math.Max(count, 1))).ToArray();
        return (middle, indices);
    }

    static void CheckData(INtkNetwork model, Dataset data, string name, LossKind loss)
    {
        if (data.X is null || data.Y is null || data.Labels is null)
            throw new ArgumentException($"{name} must have X, Y and Labels; got X {(data.X is null ? "null" : "set")}, Y {(data.Y is null ? "null" : "set")}, Labels {(data.Labels is null ? "null" : "set")}.", name);
        if (data.Count == 0 || data.X.dim() == 0 || data.X.shape[0] == 0) throw new ArgumentException($"{name} is empty.", name);
        if (data.Y.dim() != 2 || data.Y.shape[1] != model.Outputs)
            throw new ArgumentException($"{name}.Y must be [N, {model.Outputs}] for a network with {model.Outputs} outputs, but has shape {Guard.Shape(data.Y)}.", name);
        if (data.X.shape[0] != data.Y.shape[0])
            throw new ArgumentException($"{name}.X has {data.X.shape[0]} rows but {name}.Y has {data.Y.shape[0]}.", name);
        Guard.OnDevice(data.X, model.Device, $"{name}.X", "the model's parameters");
        Guard.OnDevice(data.Y, model.Device, $"{name}.Y", "the model's parameters");
        if (loss == LossKind.CrossEntropy) Guard.OneHot(data.Y, $"{name}.Y");
    }
}
