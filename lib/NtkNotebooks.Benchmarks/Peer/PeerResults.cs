using NtkNotebooks.Benchmarks.Harness;

namespace NtkNotebooks.Benchmarks.Peer;

/// <summary>What the peer reported for one task (peer/run_peer.py writes these fields).</summary>
/// <param name="Status">"ok", "skipped" (estimated over the time limit) or "failed".</param>
/// <param name="Median">Median seconds of the timed runs.</param>
/// <param name="Min">Fastest run, seconds.</param>
/// <param name="Repetitions">Timed runs.</param>
/// <param name="Warmups">Untimed runs.</param>
/// <param name="Output">File (in the workspace) with the task's result for the correctness check.</param>
/// <param name="Reason">Why it was skipped or failed.</param>
public sealed record PeerTaskResult(string Status, double? Median, double? Min, int? Repetitions, int? Warmups, string? Output, string? Reason)
{
    /// <summary>The timing, when the task ran.</summary>
    public Timing? Timing => Status == "ok" && Median is { } median && Min is { } min
        ? new Timing(median, min, Repetitions ?? 0, Warmups ?? 0)
        : null;
}

/// <summary>The peer's whole report: versions, its matmul rates and one result per task id.</summary>
/// <param name="Versions">Python, PyTorch, NumPy versions and the BLAS NumPy uses.</param>
/// <param name="MatmulGflops">torch_float32, torch_float64, numpy_float64 (same size and threads as ours).</param>
/// <param name="Tasks">By task id.</param>
public sealed record PeerResults(Dictionary<string, string> Versions, Dictionary<string, double> MatmulGflops,
    Dictionary<string, PeerTaskResult> Tasks)
{
    /// <summary>A report in which no task ran (peer unavailable or failed), with the reason.</summary>
    public static PeerResults Unavailable(IEnumerable<PeerTask> tasks, string reason) =>
        new([], [], tasks.ToDictionary(t => t.Id, _ => new PeerTaskResult("failed", null, null, null, null, null, reason)));
}
