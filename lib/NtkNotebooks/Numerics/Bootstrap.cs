using MathNet.Numerics.Statistics;

namespace NtkNotebooks;

/// <summary>
/// The nonparametric bootstrap (Efron 1979) over independent runs, e.g. the initialisations (seeds) behind a measured
/// point: draw the runs again with replacement, recompute the statistic, and read its noise from the spread of the
/// replicates. The notebooks' claim bands are derived this way from each experiment's own noise. Draws come from a
/// seeded <see cref="Random"/>, so a notebook's band is the same on every run.
/// </summary>
public static class Bootstrap
{
    /// <summary>Replicates drawn when a caller does not say (enough for a standard error to about 1.6 %).</summary>
    public const int DefaultResamples = 2000;

    /// <summary>
    /// The statistic of <paramref name="resamples"/> resamples of <paramref name="count"/> runs. Each resample is an
    /// array of <paramref name="count"/> run indices drawn uniformly with replacement; use one index array for every
    /// quantity measured on the same runs (paired data).
    /// </summary>
    public static T[] Resample<T>(int count, Func<int[], T> statistic, int resamples = DefaultResamples, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(statistic);
        return Resample([count], picks => statistic(picks[0]), resamples, seed);
    }

    /// <summary>
    /// As <see cref="Resample{T}(int, Func{int[], T}, int, int)"/> for independent groups of runs (e.g. the seeds of each
    /// width): each resample draws the runs of group g, <paramref name="groupSizes"/>[g] indices, independently.
    /// </summary>
    public static T[] Resample<T>(IReadOnlyList<int> groupSizes, Func<int[][], T> statistic, int resamples = DefaultResamples, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(groupSizes);
        ArgumentNullException.ThrowIfNull(statistic);
        if (groupSizes.Count == 0) throw new ArgumentException("groupSizes must name at least one group, got none.", nameof(groupSizes));
        for (var g = 0; g < groupSizes.Count; g++)
            if (groupSizes[g] < 2)
                throw new ArgumentOutOfRangeException(nameof(groupSizes), groupSizes[g], $"groupSizes[{g}] must be at least 2 runs to resample.");
        if (resamples < 2) throw new ArgumentOutOfRangeException(nameof(resamples), resamples, "resamples must be at least 2.");
        var random = new Random(seed);
        var replicates = new T[resamples];
        for (var b = 0; b < resamples; b++)
            replicates[b] = statistic(groupSizes.Select(size => Enumerable.Range(0, size).Select(_ => random.Next(size)).ToArray()).ToArray());
        return replicates;
    }

    /// <summary>The bootstrap standard error of a statistic of <paramref name="count"/> paired runs: the standard deviation of its replicates.</summary>
    public static double StandardError(int count, Func<int[], double> statistic, int resamples = DefaultResamples, int seed = 0) =>
        Checked(Resample(count, statistic, resamples, seed), nameof(statistic)).StandardDeviation();

    /// <summary>As <see cref="StandardError(int, Func{int[], double}, int, int)"/> for independent groups of runs.</summary>
    public static double StandardError(IReadOnlyList<int> groupSizes, Func<int[][], double> statistic, int resamples = DefaultResamples, int seed = 0) =>
        Checked(Resample(groupSizes, statistic, resamples, seed), nameof(statistic)).StandardDeviation();

    /// <summary>
    /// The percentile interval holding the central <paramref name="level"/> of the replicates, e.g. 0.95 for a 95 %
    /// interval (MathNet's default quantile, R-8).
    /// </summary>
    public static (double Low, double High) Interval(IReadOnlyList<double> replicates, double level = 0.95)
    {
        ArgumentNullException.ThrowIfNull(replicates);
        if (!(level > 0 && level < 1)) throw new ArgumentOutOfRangeException(nameof(level), level, "level must lie strictly between 0 and 1.");
        var values = Checked(replicates, nameof(replicates));
        return (values.Quantile((1 - level) / 2), values.Quantile((1 + level) / 2));
    }

    static double[] Checked(IReadOnlyList<double> replicates, string name)
    {
        if (replicates.Count < 2) throw new ArgumentException($"{name} needs at least 2 replicates, got {replicates.Count}.", name);
        for (var b = 0; b < replicates.Count; b++)
            if (!double.IsFinite(replicates[b]))
                throw new ArgumentException($"{name}: replicate {b} is {replicates[b]}; a bootstrap statistic must be finite on every resample " +
                    "(a resample can repeat one run, e.g. making a variance zero).", name);
        return replicates.ToArray();
    }
}
