using TorchSharp;
using static TorchSharp.torch;

namespace NtkNotebooks.Training;

/// <summary>
/// How a loss sums over the data (PAPER.md "Loss convention"). The theory is written for the total loss; the paper's
/// plots and learning rates (and neural-tangents) use the mean over all N x k target entries, which rescales every
/// rate: gradient flow on the mean loss with rate eta is gradient flow on the total loss with rate eta / (N k).
/// Every API that takes a learning rate also takes this, and converts with <see cref="LossReductionExtensions.EffectiveRate"/>.
/// </summary>
public enum LossReduction
{
    /// <summary>L = (1/(N k)) sum_i l(f(x_i), y_i): the paper's plots, neural-tangents' convention. The default.</summary>
    Mean,

    /// <summary>L = sum_i l(f(x_i), y_i): the convention of the equations (Eq 8-16, Theorem 2.1).</summary>
    Sum,
}

/// <summary>The loss function.</summary>
public enum LossKind
{
    /// <summary>l = 1/2 ||f - y||^2 (closed-form dynamics, Eq 8-11).</summary>
    Mse,

    /// <summary>l = -sum_a y_a log softmax(f)_a (S5-S11); y one-hot [N, k].</summary>
    CrossEntropy,
}

/// <summary>Conversions between the loss conventions.</summary>
public static class LossReductionExtensions
{
    /// <summary>
    /// The rate on the *total* loss equivalent to <paramref name="learningRate"/> under <paramref name="reduction"/>
    /// for targets with <paramref name="targetEntries"/> = N k entries: eta for Sum, eta / (N k) for Mean.
    /// </summary>
    public static double EffectiveRate(this LossReduction reduction, double learningRate, long targetEntries)
    {
        Guard.Positive(targetEntries, nameof(targetEntries));
        return reduction == LossReduction.Sum ? learningRate : learningRate / targetEntries;
    }
}

/// <summary>The losses, computed the same way for networks and their linearizations.</summary>
public static class Losses
{
    /// <summary>The loss of outputs <paramref name="f"/> [N, k] against targets <paramref name="y"/> [N, k] (differentiable).</summary>
    public static Tensor Compute(Tensor f, Tensor y, LossKind kind, LossReduction reduction)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(y);
        if (kind == LossKind.CrossEntropy && (f.dim() != 2 || f.shape[1] < 2))
            throw new ArgumentException($"Cross-entropy needs outputs [N, k] with k >= 2 (a softmax over one logit is constant), but f has shape {Guard.Shape(f)}.", nameof(f));
        if (!f.shape.SequenceEqual(y.shape))
            throw new ArgumentException($"Outputs {Guard.Shape(f)} and targets {Guard.Shape(y)} must have the same shape.", nameof(y));
        Guard.SameDevice((f, nameof(f)), (y, nameof(y)));
        var perEntry = kind switch
        {
            LossKind.Mse => 0.5 * (f - y).square(),
            LossKind.CrossEntropy => -(y * f.log_softmax(1)),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
        };
        return reduction == LossReduction.Sum ? perEntry.sum() : perEntry.sum() / y.numel();
    }

    /// <summary>
    /// Classification accuracy: for one output, sign(f) against sign(y) (targets +-1); for k &gt; 1, argmax(f) against argmax(y).
    /// </summary>
    public static double Accuracy(Tensor f, Tensor y)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(y);
        if (!f.shape.SequenceEqual(y.shape) || f.dim() != 2)
            throw new ArgumentException($"Outputs {Guard.Shape(f)} and targets {Guard.Shape(y)} must both be [N, k].", nameof(y));
        Guard.SameDevice((f, nameof(f)), (y, nameof(y)));
        using var scope = NewDisposeScope();
        var correct = f.shape[1] == 1 ? f.sign().eq(y.sign()) : f.argmax(1).eq(y.argmax(1));
        return correct.to(float64).mean().item<double>();
    }
}
