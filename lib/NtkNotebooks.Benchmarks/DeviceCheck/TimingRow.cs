using NtkNotebooks.Benchmarks.Harness;
using static TorchSharp.torch;

namespace NtkNotebooks.Benchmarks.DeviceCheck;

/// <summary>One timed case on the device: ours, and the peer's on the same device and inputs where there is one.</summary>
public sealed record TimingRow
{
    /// <summary>What is computed, e.g. "Structured empirical NTK, FC 784-3x1024-1 ReLU, float32, N = 1024".</summary>
    public required string Case { get; init; }
    /// <summary>Our method, e.g. "StructuredNtk.Compute".</summary>
    public required string Ours { get; init; }
    /// <summary>Our synchronized timing; null when it did not run.</summary>
    public Timing? OursTiming { get; init; }
    /// <summary>The peer's method, e.g. "torch.func vmap(jacrev)"; null when there is no peer for this case.</summary>
    public string? PeerMethod { get; init; }
    /// <summary>The peer's task id in the workspace.</summary>
    public string? PeerId { get; init; }
    /// <summary>Our result on the host, for the agreement check with the peer's (float64).</summary>
    public Tensor? Output { get; init; }
    /// <summary>A remark (why it did not run, a derived rate).</summary>
    public string? Note { get; init; }
    /// <summary>The case threw (the note says what): the check fails.</summary>
    public bool Failed { get; init; }
    /// <summary>Key of the goals: "structured-N", "jacobian-N", "analytic-N".</summary>
    public string? Tag { get; init; }
}
