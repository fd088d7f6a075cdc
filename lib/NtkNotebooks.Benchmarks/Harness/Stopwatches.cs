using System.Diagnostics;
using static TorchSharp.torch;

namespace NtkNotebooks.Benchmarks.Harness;

/// <summary>Times a TorchSharp computation under a <see cref="TimingPolicy"/>, freeing each run's tensors.</summary>
public static class Stopwatches
{
    /// <summary>
    /// Runs <paramref name="run"/> per the policy. Every run happens inside its own dispose scope, so tensors it
    /// creates are freed before the next run; the output of the last timed run is kept and returned (caller disposes).
    /// </summary>
    public static (Timing Timing, Tensor? Output) Measure(Func<Tensor?> run, TimingPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(policy);
        for (var w = 0; w < policy.Warmups; w++) RunOnce(run, keep: false, out _);
        var seconds = new List<double>();
        Tensor? output = null;
        while (policy.WantsAnotherRun(seconds.Count, seconds.Sum()))
        {
            output?.Dispose();
            output = RunOnce(run, keep: true, out var elapsed);
            seconds.Add(elapsed);
        }
        return (Timing.Of(seconds, policy.Warmups), output);
    }

    /// <summary>One untimed-policy run: wall-clock seconds of a single call (for scale cases and probes).</summary>
    public static (double Seconds, Tensor? Output) Once(Func<Tensor?> run)
    {
        var output = RunOnce(run, keep: true, out var elapsed);
        return (elapsed, output);
    }

    static Tensor? RunOnce(Func<Tensor?> run, bool keep, out double seconds)
    {
        // Collect garbage from the previous run outside the timed region.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        using var scope = NewDisposeScope();
        var stopwatch = Stopwatch.StartNew();
        var output = run();
        stopwatch.Stop();
        seconds = stopwatch.Elapsed.TotalSeconds;
        return keep ? output?.MoveToOuterDisposeScope() : null;
    }
}
