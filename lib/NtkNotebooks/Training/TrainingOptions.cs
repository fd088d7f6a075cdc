using static TorchSharp.torch;

namespace NtkNotebooks.Training;

/// <summary>How to train (the same for a network and its linearization). The loss convention is explicit.</summary>
public sealed record TrainingOptions
{
    /// <summary>eta, under <see cref="Reduction"/>.</summary>
    public required double LearningRate { get; init; }
    /// <summary>Number of optimizer steps.</summary>
    public required int Steps { get; init; }
    /// <summary>beta of SGD with momentum (0: plain gradient descent).</summary>
    public double Momentum { get; init; }
    /// <summary>Minibatch size; null trains full-batch.</summary>
    public int? BatchSize { get; init; }
    /// <summary>MSE (default) or cross-entropy.</summary>
    public LossKind Loss { get; init; } = LossKind.Mse;
    /// <summary>Mean over the N k target entries (default) or sum.</summary>
    public LossReduction Reduction { get; init; } = LossReduction.Mean;
    /// <summary>Steps at which to record a snapshot; default <see cref="Schedules.LogSpaced"/>(Steps, 40).</summary>
    public IReadOnlyList<int>? RecordAt { get; init; }
    /// <summary>Record the empirical NTK of the network on <see cref="KernelInputs"/> at every snapshot.</summary>
    public bool RecordNtk { get; init; }
    /// <summary>Record the feature NNGP kernel (last hidden layer) of a fully connected network at every snapshot.</summary>
    public bool RecordNngp { get; init; }
    /// <summary>Inputs for the recorded kernels; default the training inputs.</summary>
    public Tensor? KernelInputs { get; init; }
    /// <summary>How many individual weights to follow (from the middle parameter tensor).</summary>
    public int TrackedWeights { get; init; } = 4;
    /// <summary>
    /// Per-parameter-tensor multipliers of <see cref="LearningRate"/>, in <c>parameters()</c> order: layer-wise rates
    /// such as those of S37 that make NTK- and standard-parameterization training coincide. Null: one rate for all.
    /// </summary>
    public IReadOnlyList<double>? ParameterRateScales { get; init; }
    /// <summary>Seed of the minibatch order.</summary>
    public long Seed { get; init; }
    /// <summary>Receives a report after every snapshot (for progress bars).</summary>
    public IProgress<TrainingProgress>? Progress { get; init; }

    internal void Validate()
    {
        Guard.Positive(LearningRate, nameof(LearningRate));
        Guard.Positive(Steps, nameof(Steps));
        if (Momentum is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(Momentum), Momentum, "Expected 0 <= Momentum < 1.");
        if (BatchSize is { } b) Guard.Positive(b, nameof(BatchSize));
        if (TrackedWeights < 0) throw new ArgumentOutOfRangeException(nameof(TrackedWeights), TrackedWeights, "Expected >= 0.");
        if (ParameterRateScales is { } scales && scales.Any(v => !(v > 0) || double.IsInfinity(v)))
            throw new ArgumentOutOfRangeException(nameof(ParameterRateScales), "Every rate multiplier must be positive and finite.");
        if (RecordAt is { } at && at.Any(s => s < 0 || s > Steps))
            throw new ArgumentOutOfRangeException(nameof(RecordAt), $"Record steps must lie in [0, {Steps}].");
    }
}

/// <summary>Where a training run is.</summary>
/// <param name="Model">"network" or "linearized".</param>
/// <param name="Step">Steps done.</param>
/// <param name="Steps">Steps in all.</param>
/// <param name="TrainLoss">Training loss at this step.</param>
public sealed record TrainingProgress(string Model, int Step, int Steps, double TrainLoss);

/// <summary>Step schedules for recording.</summary>
public static class Schedules
{
    /// <summary>0 and about <paramref name="points"/> log-spaced integer steps up to <paramref name="steps"/> (distinct, sorted).</summary>
    public static int[] LogSpaced(int steps, int points = 40)
    {
        Guard.Positive(steps, nameof(steps));
        Guard.Positive(points, nameof(points));
        return Enumerable.Range(0, points)
            .Select(i => (int)Math.Round(Math.Pow(steps, points == 1 ? 1.0 : (double)i / (points - 1))))
            .Prepend(0).Append(steps).Distinct().Order().ToArray();
    }
}
