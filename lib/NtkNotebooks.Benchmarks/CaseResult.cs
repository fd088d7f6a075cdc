using NtkNotebooks.Benchmarks.Harness;
using static TorchSharp.torch;

namespace NtkNotebooks.Benchmarks;

/// <summary>One measured row: our timing (or why it did not run), its FLOP count, the peer task it is compared with,
/// and our output for the correctness check against the peer's.</summary>
public sealed record CaseResult
{
    /// <summary>What is computed, e.g. "Empirical NTK, FC 784-3x1024-1 ReLU, N = 256".</summary>
    public required string Name { get; init; }
    /// <summary>Our method and the peer's, e.g. "StructuredNtk / vmap(jacrev)".</summary>
    public required string Method { get; init; }
    /// <summary>The computation dtype (the same on both sides, unless <see cref="SameDTypeAsPeer"/> is false).</summary>
    public required ScalarType DType { get; init; }
    /// <summary>Our timing; null when skipped.</summary>
    public Timing? Ours { get; init; }
    /// <summary>Why ours did not run, or a remark.</summary>
    public string? Note { get; init; }
    /// <summary>FLOPs of one run of our algorithm (see <see cref="FlopCount"/>).</summary>
    public double Flops { get; init; }
    /// <summary>Whether the FLOPs are matrix products (comparable with the matmul rate) rather than nominal elementwise work.</summary>
    public bool FlopsAreMatmul { get; init; } = true;
    /// <summary>The peer task to compare with.</summary>
    public string? PeerId { get; init; }
    /// <summary>False when the peer computes in another dtype: the error is still checked, no time ratio is given.</summary>
    public bool SameDTypeAsPeer { get; init; } = true;
    /// <summary>Our output, compared with the peer's (disposed by the report).</summary>
    public Tensor? Output { get; init; }
    /// <summary>The dtype whose matmul rate the achieved rate is compared with (default <see cref="DType"/>).</summary>
    public ScalarType? PeakDType { get; init; }
    /// <summary>A stable key for the goals (e.g. "structured-1024-256", "analytic-4096").</summary>
    public string? Tag { get; init; }
    /// <summary>Peak resident memory during the case (scale cases).</summary>
    public long? PeakBytes { get; init; }
}
