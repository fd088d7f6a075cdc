using NtkNotebooks.Data;
using NtkNotebooks.Kernels;
using NtkNotebooks.Models;
using NtkNotebooks.Spectrum;
using NtkNotebooks.Training;
using static TorchSharp.torch;

namespace NtkNotebooks.Benchmarks.DeviceCheck;

/// <summary>
/// Training (full-batch, minibatch, momentum with layer-wise rates, a network next to its linearization) and the losses
/// on the device against the CPU, after a few steps from the same initialisation and minibatch order.
/// </summary>
/// <remarks>
/// Training amplifies round-off: each step adds the error of one forward and backward pass, and the gradient-descent
/// map passes on earlier errors with factor ||I - eta H||. The learning rate here is half the divergence limit
/// (eta lambda_max = 1 for the empirical NTK), where that map contracts the function-space residual (the NTK regime of
/// Eq 8, which a 128-wide network after a few steps is close to): errors add over the steps and are not multiplied.
/// After S steps the outputs carry at most (S + 1) times one pass's error (with momentum beta, each step's velocity sums
/// up to (1 - beta^S)/(1 - beta) gradients). Few steps keep that meaningful.
/// </remarks>
public static class TrainingComparisons
{
    const int N = CheckInputs.TrainCount;
    const int Steps = 4;

    /// <summary>Runs every comparison.</summary>
    public static void Run(DeviceComparer c, CheckInputs inputs)
    {
        var relu = inputs.Relu;
        // The learning rate (mean loss) at half the divergence limit of the seed-1 network's empirical NTK (CPU).
        double learningRate;
        using (var scope = NewDisposeScope())
        {
            var ntk = EmpiricalNtk.Compute(new FullyConnectedNetwork(relu, seed: 1), inputs.XTrain);
            learningRate = 0.5 * new KernelSpectrum(ntk).MaxLearningRate(reduction: LossReduction.Mean, targetEntries: N);
        }
        Dataset Train(Device d) => new(inputs.XTrain.to(d), inputs.YTrain.to(d), new int[N]);
        Dataset Test(Device d) => new(inputs.XTest.to(d), inputs.F0Test.sign().to(d), new int[CheckInputs.TestCount]);
        TrainingOptions Options(int steps, int? batch = null) => new()
        {
            LearningRate = learningRate, Steps = steps, BatchSize = batch, Seed = 3, RecordAt = [0, steps],
        };
        // One step: a forward pass, a backward pass, the gradient's sum over the batch.
        var pass = CheckInputs.ForwardPath(relu) + CheckInputs.BackwardPath(relu) + N;
        // With momentum beta, step s applies a velocity that sums (1 - beta^s)/(1 - beta) gradients' worth of error.
        Tolerance Trained(ScalarType dtype, int steps, double momentum = 0) =>
            Tolerance.RoundOff(dtype, pass, "forward, backward, batch sum", 1 + steps * (1 - Math.Pow(momentum, steps)) / (1 - momentum),
                momentum == 0 ? "1 + S: errors of S steps add" : "1 + S (1 - beta^S)/(1 - beta): errors add, momentum sums past ones");
        static ApiOutputs Outcome(TrainingHistory h) =>
            new([h.Final.TrainOutputs, h.Final.TestOutputs], [h.Final.TrainLoss, h.Final.TestLoss]);

        c.Compare($"Trainer.Train (float32, full batch, {Steps} steps)", Trained(ScalarType.Float32, Steps),
            d => Outcome(Trainer.Train(NetworkComparisons.Fc(inputs, ScalarType.Float32, d), Train(d), Test(d), Options(Steps))));
        c.Compare($"Trainer.Train (float64, full batch, {Steps} steps)", Trained(ScalarType.Float64, Steps),
            d => Outcome(Trainer.Train(NetworkComparisons.Fc(inputs, ScalarType.Float64, d), Train(d), Test(d), Options(Steps))));
        // Batches of 16 of the 48 examples, reshuffled after 3 steps: the order is drawn on the host from the seed.
        c.Compare("Trainer.Train (float32, minibatch 16 of 48, 6 steps)", Trained(ScalarType.Float32, 6),
            d => Outcome(Trainer.Train(NetworkComparisons.Fc(inputs, ScalarType.Float32, d), Train(d), Test(d), Options(6, batch: 16))));
        // The recorded kernels of the last snapshot: the outputs' error plus the structured NTK's own.
        c.Compare($"Trainer.Train snapshot NTK and NNGP (float64, {Steps} steps)",
            Trained(ScalarType.Float64, Steps).Plus(Tolerance.RoundOff(ScalarType.Float64, CheckInputs.StructuredPath(relu), "structured NTK")),
            d =>
            {
                var history = Trainer.Train(NetworkComparisons.Fc(inputs, ScalarType.Float64, d), Train(d), Test(d),
                    Options(Steps) with { RecordNtk = true, RecordNngp = true });
                return new[] { history.Final.Ntk!, history.Final.Nngp! };
            });
        // S37's layer-wise rates (at most about 3 times the base rate, so a quarter of it stays below the limit), with
        // momentum 0.9: SGD parameter groups on the device.
        c.Compare($"Trainer.Train (float32, LayerwiseRates, momentum 0.9, {Steps} steps)", Trained(ScalarType.Float32, Steps, momentum: 0.9),
            d =>
            {
                var network = NetworkComparisons.Fc(inputs, ScalarType.Float32, d);
                var rates = LayerwiseRates.NtkRatesMatchingStandard(network, 0.25 * learningRate);
                return Outcome(Trainer.Train(network, Train(d), Test(d), Options(Steps) with { LearningRate = 1, ParameterRateScales = rates, Momentum = 0.9 }));
            });
        // Both models of Figure 1's side-by-side run; the linearization's pass also carries the tangent (2x).
        c.Compare("Trainer.TrainSideBySide (float64, 3 steps)", Trained(ScalarType.Float64, 3).Times(2, "the linearization's tangent pass"),
            d =>
            {
                var result = Trainer.TrainSideBySide(() => NetworkComparisons.Fc(inputs, ScalarType.Float64, d), Train(d), Test(d), Options(3));
                return new ApiOutputs([result.Network.Final.TestOutputs, result.Linearized.Final.TestOutputs],
                    [result.Network.Final.TrainLoss, result.Linearized.Final.TrainLoss]);
            });

        Losses(c, inputs);
    }

    static void Losses(DeviceComparer c, CheckInputs inputs)
    {
        // Sums over the N k entries of a few elementwise operations (log-softmax: a sum over k, exp and log within
        // 2 ulp on CUDA).
        c.Compare("Losses.Compute (MSE mean, cross-entropy sum)",
            Tolerance.RoundOff(ScalarType.Float64, N * CheckInputs.Classes + 2 * CheckInputs.Classes, "sum over N k entries, softmax over k"),
            d => new[]
            {
                NtkNotebooks.Training.Losses.Compute(inputs.F0Train.to(d), inputs.YTrain.to(d), LossKind.Mse, LossReduction.Mean),
                NtkNotebooks.Training.Losses.Compute(inputs.F0TrainClasses.to(d), inputs.OneHotTrain.to(d), LossKind.CrossEntropy, LossReduction.Sum),
            });
        // Signs and argmaxes of the same inputs: discrete, so identical.
        c.Compare("Losses.Accuracy (sign and argmax)", Tolerance.Exact("comparisons of identical inputs"),
            d => ApiOutputs.Numbers(
                NtkNotebooks.Training.Losses.Accuracy(inputs.F0Train.to(d), inputs.YTrain.to(d)),
                NtkNotebooks.Training.Losses.Accuracy(inputs.F0TrainClasses.to(d), inputs.OneHotTrain.to(d))));
    }
}
