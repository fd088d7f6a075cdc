using static TorchSharp.torch;

namespace NtkNotebooks.Stax;

/// <summary>Copies one stream into <see cref="Count"/> streams, for branches such as the two paths of a residual block.</summary>
/// <remarks>Kernel: every copy carries the input's kernels (the copies are the same random variable).</remarks>
public sealed record FanOutLayer : Layer
{
    /// <param name="count">Number of copies, &gt;= 1.</param>
    public FanOutLayer(int count)
    {
        Guard.Positive(count, nameof(count));
        Count = count;
    }

    /// <summary>Number of copies.</summary>
    public int Count { get; }

    internal override int OutputCount => Count;

    internal override Stream[] Infer(Stream[] inputs, Inference inference) => Enumerable.Repeat(inputs[0], Count).ToArray();

    internal override Tensor[] Forward(Tensor[] inputs, ParameterCursor parameters) => Enumerable.Repeat(inputs[0], Count).ToArray();

    internal override Layout[] Require(Layout[] outputs, int inputCount) => [outputs.Max()];

    internal override KernelState[] Propagate(KernelState[] inputs, Layout[] outputs, KernelContext context) =>
        Enumerable.Repeat(inputs[0], Count).ToArray();

    /// <inheritdoc/>
    public override string ToString() => $"FanOut({Count})";
}

/// <summary>Applies branch i to stream i: as many streams in as out, each branch mapping one stream to one.</summary>
/// <remarks>Kernel: each branch transforms its stream's kernels; cross-branch covariances are settled by <see cref="FanInSumLayer"/>.</remarks>
public sealed record ParallelLayer : Layer
{
    readonly Layer[] _branches;

    /// <param name="branches">One layer per stream, each taking one stream and giving one.</param>
    public ParallelLayer(params Layer[] branches)
    {
        ArgumentNullException.ThrowIfNull(branches);
        if (branches.Length == 0) throw new ArgumentException("Parallel needs at least one branch, but got none.", nameof(branches));
        for (var i = 0; i < branches.Length; i++)
        {
            var branch = branches[i] ?? throw new ArgumentNullException($"{nameof(branches)}[{i}]");
            if (branch.InputCount != 1 || branch.OutputCount != 1)
                throw new ArgumentException(
                    $"Each Parallel branch must map one stream to one; branch {i} ({branch}) takes {branch.InputCount?.ToString() ?? "any number of"} and gives {branch.OutputCount}.",
                    $"{nameof(branches)}[{i}]");
        }
        _branches = branches.ToArray();
    }

    /// <summary>The branches, in stream order.</summary>
    public IReadOnlyList<Layer> Branches => _branches;

    internal override int? InputCount => _branches.Length;
    internal override int OutputCount => _branches.Length;

    internal override Stream[] Infer(Stream[] inputs, Inference inference) =>
        _branches.Select((branch, i) => inference.At($"Parallel branch {i} ({branch})", () => branch.Infer([inputs[i]], inference)[0])).ToArray();

    internal override Tensor[] Forward(Tensor[] inputs, ParameterCursor parameters) =>
        _branches.Select((branch, i) => branch.Forward([inputs[i]], parameters)[0]).ToArray();

    internal override Layout[] Require(Layout[] outputs, int inputCount) =>
        _branches.Select((branch, i) => branch.Require([outputs[i]], 1)[0]).ToArray();

    internal override KernelState[] Propagate(KernelState[] inputs, Layout[] outputs, KernelContext context) =>
        _branches.Select((branch, i) => branch.Propagate([inputs[i]], [outputs[i]], context)[0]).ToArray();

    /// <summary>Value equality: the same branches in the same order.</summary>
    public bool Equals(ParallelLayer? other) => other is not null && _branches.SequenceEqual(other._branches);

    /// <inheritdoc/>
    public override int GetHashCode() => _branches.Aggregate(nameof(ParallelLayer).GetHashCode(), HashCode.Combine);

    /// <inheritdoc/>
    public override string ToString() => $"Parallel({string.Join(", ", _branches.Select(b => b.ToString()))})";
}

/// <summary>Sums any number of streams of one shape into one (the merge of a residual block).</summary>
/// <remarks>
/// Kernel: the second moment of a sum is the sum of the streams' second moments plus their cross moments, and the same
/// for the NTK. neural-tangents' <c>FanInSum</c> adds the kernels, which assumes the cross terms vanish. They do
/// exactly when, of every two streams, one is a sum of linear images of Dense or Conv layers inside its own branch
/// (after the streams split): such a layer's zero-mean weights and biases are drawn for it alone, so
/// E[(W u + b) v] = 0 for any v the other branch computes, and the cross NTK is a sum of such terms (it concentrates
/// on its mean, 0, at infinite width). So Parallel(Serial(Relu(), Conv(..), Relu(), Conv(..)), Identity()) adds kernels
/// exactly, while Parallel(Identity(), Identity()) (cross moment K, total 4K) or Parallel(Relu(), Identity()) (cross
/// moments E[phi(u) v] are not tracked) is refused by the analytic kernels instead of giving a wrong answer. The sum is
/// Gaussian when every stream is: independent Gaussians at infinite width.
/// </remarks>
public sealed record FanInSumLayer : Layer
{
    internal override int? InputCount => null;

    internal override Stream[] Infer(Stream[] inputs, Inference inference)
    {
        if (inputs.Length == 0) throw inference.Error("FanInSum needs at least one input stream, but got none");
        var shape = inputs[0].Shape;
        for (var i = 1; i < inputs.Length; i++)
        {
            if (inputs[i].Shape != shape)
                throw inference.Error($"FanInSum needs inputs of one shape, but input 0 has shape {shape} and input {i} has shape {inputs[i].Shape}");
        }
        for (var i = 0; i < inputs.Length; i++)
        for (var j = i + 1; j < inputs.Length; j++)
        {
            if (!Uncorrelated(inputs[i], inputs[j]))
                inference.Issue($"FanInSum: inputs {i} and {j} share randomness that neither branch re-draws (neither ends in a Dense or Conv layer of its own, " +
                    "e.g. Identity() + Identity() or Relu() + Identity()), so their cross-covariance is not zero and is not tracked");
        }
        var fresh = inputs.All(s => s.Fresh is not null) ? inputs.Aggregate(inputs[0].Fresh!, (f, s) => f.Union(s.Fresh!)) : null;
        var dependencies = inputs.Aggregate(inputs[0].Dependencies, (d, s) => d.Union(s.Dependencies));
        return [inference.See(new Stream(shape, inputs.All(s => s.Gaussian), dependencies, fresh))];
    }

    // E[a b] = 0 when one of them is linear in zero-mean parameters that the other does not depend on.
    static bool Uncorrelated(Stream a, Stream b) =>
        (a.Fresh is { } fa && !fa.Overlaps(b.Dependencies)) || (b.Fresh is { } fb && !fb.Overlaps(a.Dependencies));

    internal override Tensor[] Forward(Tensor[] inputs, ParameterCursor parameters) =>
        [inputs.Skip(1).Aggregate(inputs[0], (sum, x) => sum + x)];

    internal override Layout[] Require(Layout[] outputs, int inputCount) => Enumerable.Repeat(outputs[0], inputCount).ToArray();

    internal override KernelState[] Propagate(KernelState[] inputs, Layout[] outputs, KernelContext context)
    {
        var states = inputs.Select(s => s.Conform(outputs[0])).ToArray();
        var first = states[0];
        if (states.Length == 1) return [first];
        var nngp = Sum(states.Select(s => s.Nngp));
        var ntks = states.Select(s => s.Ntk).OfType<Tensor>().ToArray();
        var ntk = ntks.Length == 0 ? null : Sum(ntks);
        var var1 = first.Pinned ? null : Sum(states.Select(s => s.Var1));
        return [first.With(first.Shape, outputs[0], nngp, ntk, var1, Sum(states.Select(s => s.Var2)))];
    }

    static Tensor Sum(IEnumerable<Tensor> tensors)
    {
        Tensor? sum = null;
        foreach (var t in tensors) sum = sum is null ? t.clone() : sum.add_(t);
        return sum!;
    }

    /// <inheritdoc/>
    public override string ToString() => "FanInSum";
}
