using static TorchSharp.torch;

namespace NtkNotebooks.Benchmarks.DeviceCheck;

/// <summary>
/// What one API call returned: tensors, which must be on the device the inputs were on, and plain numbers (losses,
/// learning-rate limits) that live on the host.
/// </summary>
/// <param name="Tensors">The result tensors, in a fixed order.</param>
/// <param name="Values">Host numbers, compared jointly (max|device - CPU| / max|CPU| over them).</param>
public sealed record ApiOutputs(IReadOnlyList<Tensor> Tensors, IReadOnlyList<double> Values)
{
    /// <summary>Tensors only.</summary>
    public static implicit operator ApiOutputs(Tensor[] tensors) => new(tensors, []);

    /// <summary>One tensor.</summary>
    public static implicit operator ApiOutputs(Tensor tensor) => new([tensor], []);

    /// <summary>Host numbers only.</summary>
    public static ApiOutputs Numbers(params double[] values) => new([], values);
}
