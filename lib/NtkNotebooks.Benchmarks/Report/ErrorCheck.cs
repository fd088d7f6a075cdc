using static TorchSharp.torch;

namespace NtkNotebooks.Benchmarks.Report;

/// <summary>
/// How close our output is to the peer's: the largest absolute difference relative to the largest peer entry,
/// max|ours - peer| / max|peer| (a scaled max-norm error that near-zero entries cannot inflate).
/// </summary>
public static class ErrorCheck
{
    /// <summary>The threshold of the issue: both must produce the same kernel to a relative error below 1e-4.</summary>
    public const double Tolerance = 1e-4;

    /// <summary>The scaled max error; throws when the element counts differ.</summary>
    public static double ScaledMaxError(Tensor ours, Tensor peer)
    {
        using var scope = NewDisposeScope();
        var a = ours.detach().to(float64).flatten();
        var b = peer.detach().to(float64).flatten();
        if (a.shape[0] != b.shape[0])
            throw new InvalidOperationException($"Ours has {a.shape[0]} values, the peer's {b.shape[0]}.");
        var scale = b.abs().max().item<double>();
        var difference = (a - b).abs().max().item<double>();
        return scale > 0 ? difference / scale : difference;
    }
}
