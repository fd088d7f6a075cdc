using NtkNotebooks.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace NtkNotebooks.Dynamics;

/// <summary>
/// Gradient flow of the linearized network on the cross-entropy loss (S5-S11), which has no closed form:
/// <code>d f(X)/dt = -eta Theta (softmax(f(X)) - Y),   d f(x)/dt = -eta Theta(x, X) (softmax(f(X)) - Y),</code>
/// integrated with <see cref="DormandPrince"/> (adaptive, error-controlled). eta is the rate on the total loss,
/// converted from <see cref="LossReduction"/>; time is measured in steps, as in <see cref="MseDynamics"/>. Float64 on
/// the inputs' device (all five on one device); the step-size control reads one number back per step.
/// </summary>
public static class CrossEntropyDynamics
{
    /// <summary>Logits on the training [N, k] and test [M, k] inputs at each requested time.</summary>
    /// <param name="trainKernel">Theta(X, X): [N, N] (shared by the k outputs) or [N, N, k, k] (full output blocks).</param>
    /// <param name="testTrainKernel">Theta(x, X): [M, N], or [M, N, k, k] with a full training kernel.</param>
    /// <param name="trainTargets">One-hot Y [N, k].</param>
    /// <param name="f0Train">f_0(X) [N, k].</param>
    /// <param name="f0Test">f_0(x) [M, k].</param>
    /// <param name="learningRate">eta under <paramref name="reduction"/>.</param>
    /// <param name="times">Non-decreasing times (in steps).</param>
    /// <param name="reduction">Loss convention of the rate (default mean over the N k entries).</param>
    /// <param name="relativeTolerance">dopri5 relative tolerance.</param>
    public static IReadOnlyList<(Tensor Train, Tensor Test)> Solve(Tensor trainKernel, Tensor testTrainKernel, Tensor trainTargets,
        Tensor f0Train, Tensor f0Test, double learningRate, IReadOnlyList<double> times, LossReduction reduction = LossReduction.Mean,
        double relativeTolerance = 1e-8)
    {
        Guard.Positive(learningRate, nameof(learningRate));
        ArgumentNullException.ThrowIfNull(trainKernel);
        ArgumentNullException.ThrowIfNull(testTrainKernel);
        ArgumentNullException.ThrowIfNull(trainTargets);
        ArgumentNullException.ThrowIfNull(f0Train);
        ArgumentNullException.ThrowIfNull(f0Test);
        Guard.SameDevice((trainKernel, nameof(trainKernel)), (testTrainKernel, nameof(testTrainKernel)), (trainTargets, nameof(trainTargets)),
            (f0Train, nameof(f0Train)), (f0Test, nameof(f0Test)));
        Guard.OneHot(trainTargets, nameof(trainTargets));
        var n = trainKernel.shape[0];
        if (trainTargets.shape is not [_, _] || trainTargets.shape[0] != n || !f0Train.shape.SequenceEqual(trainTargets.shape))
            throw new ArgumentException($"trainTargets and f0Train must both be [{n}, k]; got {Guard.Shape(trainTargets)} and {Guard.Shape(f0Train)}.", nameof(f0Train));
        var k = trainTargets.shape[1];
        var full = trainKernel.dim() == 4;
        var m = testTrainKernel.shape[0];
        if (full ? !trainKernel.shape.SequenceEqual([n, n, k, k]) : trainKernel.shape is not [_, _] || trainKernel.shape[1] != n)
            throw new ArgumentException($"trainKernel must be [{n}, {n}] or [{n}, {n}, {k}, {k}], but has shape {Guard.Shape(trainKernel)}.", nameof(trainKernel));
        if (full ? !testTrainKernel.shape.SequenceEqual([m, n, k, k]) : testTrainKernel.shape is not [_, _] || testTrainKernel.shape[1] != n)
            throw new ArgumentException($"testTrainKernel must be [M, {n}]{(full ? $", {k}, {k}]" : "")} like the training kernel, but has shape {Guard.Shape(testTrainKernel)}.", nameof(testTrainKernel));
        if (f0Test.shape is not [_, _] || f0Test.shape[0] != m || f0Test.shape[1] != k)
            throw new ArgumentException($"f0Test must be [{m}, {k}], but has shape {Guard.Shape(f0Test)}.", nameof(f0Test));

        var eta = reduction.EffectiveRate(learningRate, trainTargets.numel());
        // Rows of the stacked kernel map the training cotangent softmax(f(X)) - Y to d f / dt on [X; x]. With full blocks
        // the unknowns are the entries (i, a), flattened as i k + a.
        Tensor Flatten(Tensor kernel) => kernel.permute(0, 2, 1, 3).reshape(kernel.shape[0] * k, n * k);
        var stacked = full
            ? cat([Flatten(trainKernel.to(float64)), Flatten(testTrainKernel.to(float64))], 0)
            : cat([trainKernel.to(float64), testTrainKernel.to(float64)], 0);
        var y = trainTargets.to(float64);
        var state0 = cat([f0Train.to(float64), f0Test.to(float64)], 0);
        Tensor Rate(Tensor state)
        {
            var cotangent = state.narrow(0, 0, n).softmax(1) - y;
            return full ? (-eta * stacked.matmul(cotangent.reshape(-1))).reshape(n + m, k) : -eta * stacked.matmul(cotangent);
        }
        var states = DormandPrince.Solve((_, state) => Rate(state), state0, times, relativeTolerance);
        return states.Select(s => (s.narrow(0, 0, n), s.narrow(0, n, m))).ToArray();
    }
}
