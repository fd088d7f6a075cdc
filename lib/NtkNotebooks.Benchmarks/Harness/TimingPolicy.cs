namespace NtkNotebooks.Benchmarks.Harness;

/// <summary>
/// How often a case runs: <see cref="Warmups"/> untimed runs, then timed runs until at least
/// <see cref="MinRepetitions"/> of them and <see cref="MinSeconds"/> of timed work are done. A slow case stops earlier,
/// once <see cref="BudgetSeconds"/> of timed work is spent and it has <see cref="FallbackRepetitions"/> runs; no case
/// runs more than <see cref="MaxRepetitions"/> times. The Python peer applies the same rule (peer/timing.py).
/// </summary>
/// <param name="Warmups">Untimed runs first (JIT, allocator and thread-pool warm-up).</param>
/// <param name="MinRepetitions">Timed runs of a fast case.</param>
/// <param name="FallbackRepetitions">Timed runs of a case whose runs exhaust the budget.</param>
/// <param name="MaxRepetitions">Upper bound of timed runs.</param>
/// <param name="MinSeconds">Timed work a fast case accumulates at least (more runs of very short cases).</param>
/// <param name="BudgetSeconds">Timed work after which a slow case stops (with at least the fallback runs).</param>
public sealed record TimingPolicy(int Warmups, int MinRepetitions, int FallbackRepetitions, int MaxRepetitions,
    double MinSeconds, double BudgetSeconds)
{
    /// <summary>Whether another timed run is due after <paramref name="runs"/> runs taking <paramref name="seconds"/> in all.</summary>
    public bool WantsAnotherRun(int runs, double seconds)
    {
        if (runs >= MaxRepetitions) return false;
        if (seconds >= BudgetSeconds) return runs < FallbackRepetitions;
        return runs < MinRepetitions || seconds < MinSeconds;
    }
}
