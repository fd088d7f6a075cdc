using static TorchSharp.torch;

namespace NtkNotebooks.Training;

/// <summary>What a model looked like at one recorded step.</summary>
/// <param name="Step">Optimizer steps done.</param>
/// <param name="TrainOutputs">f on the training inputs [N, k] (float64).</param>
/// <param name="TestOutputs">f on the test inputs [M, k] (float64).</param>
/// <param name="TrainLoss">Training loss (the run's convention).</param>
/// <param name="TestLoss">Test loss.</param>
/// <param name="TrainAccuracy">Training accuracy (sign for one output, argmax otherwise).</param>
/// <param name="TestAccuracy">Test accuracy.</param>
/// <param name="TrackedWeights">The followed individual weights.</param>
/// <param name="RelativeChange">||theta_p - theta_p,0||_F / ||theta_p,0||_F per parameter tensor, in <c>parameters()</c> order.</param>
/// <param name="Ntk">Empirical NTK on the kernel inputs, when recorded.</param>
/// <param name="Nngp">Feature NNGP kernel on the kernel inputs, when recorded.</param>
public sealed record TrainingSnapshot(int Step, Tensor TrainOutputs, Tensor TestOutputs, double TrainLoss, double TestLoss,
    double TrainAccuracy, double TestAccuracy, double[] TrackedWeights, double[] RelativeChange, Tensor? Ntk, Tensor? Nngp);

/// <summary>The recorded snapshots of one model's training run.</summary>
/// <param name="Model">"network" or "linearized".</param>
/// <param name="ParameterNames">Names of the parameter tensors (order of <see cref="TrainingSnapshot.RelativeChange"/>).</param>
/// <param name="Snapshots">In step order.</param>
public sealed record TrainingHistory(string Model, IReadOnlyList<string> ParameterNames, IReadOnlyList<TrainingSnapshot> Snapshots)
{
    /// <summary>The recorded steps.</summary>
    public double[] Steps => Snapshots.Select(s => (double)s.Step).ToArray();

    /// <summary>One number per snapshot, e.g. <c>history.Series(s => s.TestLoss)</c>.</summary>
    public double[] Series(Func<TrainingSnapshot, double> selector) => Snapshots.Select(selector).ToArray();

    /// <summary>The last snapshot.</summary>
    public TrainingSnapshot Final => Snapshots[^1];

    /// <summary>Which parameter tensor (index in <c>parameters()</c> order) the tracked weights come from.</summary>
    public int TrackedParameter { get; init; }

    /// <summary>Flat indices of the tracked weights in that tensor, in the order of <see cref="TrainingSnapshot.TrackedWeights"/>.</summary>
    public IReadOnlyList<long> TrackedIndices { get; init; } = [];
}

/// <summary>A network and its linearization trained side by side on the same data and minibatches.</summary>
/// <param name="Network">The network's history.</param>
/// <param name="Linearized">The linearization's history.</param>
public sealed record SideBySideResult(TrainingHistory Network, TrainingHistory Linearized)
{
    /// <summary>
    /// RMSE between the network's and the linearization's outputs at every snapshot:
    /// sqrt(mean over points and outputs of (f - f_lin)^2), on the test (default) or training inputs.
    /// </summary>
    public double[] OutputRmse(bool test = true) =>
        Network.Snapshots.Zip(Linearized.Snapshots, (a, b) =>
        {
            var (fa, fb) = test ? (a.TestOutputs, b.TestOutputs) : (a.TrainOutputs, b.TrainOutputs);
            return (fa - fb).square().mean().sqrt().item<double>();
        }).ToArray();
}
