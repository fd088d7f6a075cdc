namespace NtkNotebooks.Benchmarks.Harness;

/// <summary>The timed runs of one case: median and minimum wall-clock seconds over <see cref="Repetitions"/> runs.</summary>
/// <param name="MedianSeconds">Median of the timed runs.</param>
/// <param name="MinSeconds">Fastest timed run.</param>
/// <param name="Repetitions">Number of timed runs.</param>
/// <param name="Warmups">Untimed runs before them.</param>
public sealed record Timing(double MedianSeconds, double MinSeconds, int Repetitions, int Warmups)
{
    /// <summary>Summarises timed runs (seconds).</summary>
    public static Timing Of(IReadOnlyList<double> seconds, int warmups)
    {
        if (seconds.Count == 0) throw new ArgumentException("At least one timed run is needed.", nameof(seconds));
        var sorted = seconds.Order().ToArray();
        var middle = sorted.Length / 2;
        var median = sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
        return new Timing(median, sorted[0], sorted.Length, warmups);
    }
}
