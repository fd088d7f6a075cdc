using MathNet.Numerics;
using MathNet.Numerics.Statistics;

namespace NtkNotebooks;

/// <summary>Fits used by the notebooks' claims (MathNet.Numerics least squares).</summary>
public static class Fits
{
    /// <summary>
    /// The slope p of the least-squares line through (log x, log y): y ~ C x^p. The paper's scaling claims are such
    /// exponents (e.g. p = -1/2 for fluctuations of order n^{-1/2}).
    /// </summary>
    public static double LogLogSlope(IReadOnlyList<double> x, IReadOnlyList<double> y) => LogLogLine(x, y).Slope;

    /// <summary>
    /// The mean of <paramref name="values"/> (e.g. one measurement per seed) and its standard error s / sqrt(m), with s the
    /// sample standard deviation of the m values.
    /// </summary>
    public static (double Mean, double StandardError) MeanAndStandardError(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count < 2) throw new ArgumentException($"A standard error needs at least 2 values, got {values.Count}.", nameof(values));
        for (var i = 0; i < values.Count; i++)
            if (!double.IsFinite(values[i])) throw new ArgumentOutOfRangeException(nameof(values), values[i], $"values[{i}] must be finite.");
        return (values.Mean(), values.StandardDeviation() / Math.Sqrt(values.Count));
    }

    static (double Intercept, double Slope) LogLogLine(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (x.Count != y.Count) throw new ArgumentException($"x has {x.Count} values but y has {y.Count}.", nameof(y));
        if (x.Count < 2) throw new ArgumentException($"A slope needs at least 2 points, got {x.Count}.", nameof(x));
        for (var i = 0; i < x.Count; i++)
        {
            if (!(x[i] > 0)) throw new ArgumentOutOfRangeException(nameof(x), x[i], $"x[{i}] must be positive for a log-log fit.");
            if (!(y[i] > 0)) throw new ArgumentOutOfRangeException(nameof(y), y[i], $"y[{i}] must be positive for a log-log fit.");
        }
        var (intercept, slope) = Fit.Line(x.Select(v => Math.Log(v)).ToArray(), y.Select(v => Math.Log(v)).ToArray());
        return (intercept, slope);
    }

    /// <summary>
    /// The power law y ~ C x^p through runs measured at each x (e.g. several initialisations per width): the
    /// <see cref="LogLogSlope"/> of the runs' <paramref name="average"/> at each x, with the exponent's bootstrap
    /// standard error from resampling the runs of each x independently (<see cref="Bootstrap"/>). A claim that the
    /// exponent is p0 can then use a band of a few standard errors, the experiment's own noise.
    /// </summary>
    /// <param name="x">The positive abscissae, e.g. widths.</param>
    /// <param name="runs">runs[i] holds the positive measurements at x[i], at least 2 of them.</param>
    /// <param name="average">How the runs at one x are averaged before the fit.</param>
    /// <param name="resamples">Bootstrap resamples.</param>
    /// <param name="seed">Seed of the resampling, for a deterministic band.</param>
    public static PowerLawFit PowerLaw(IReadOnlyList<double> x, IReadOnlyList<IReadOnlyList<double>> runs,
        RunAverage average = RunAverage.Mean, int resamples = Bootstrap.DefaultResamples, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(runs);
        if (runs.Count != x.Count) throw new ArgumentException($"runs has {runs.Count} groups but x has {x.Count} values.", nameof(runs));
        for (var i = 0; i < runs.Count; i++)
        {
            if (runs[i] is null || runs[i].Count < 2)
                throw new ArgumentException($"runs[{i}] must hold at least 2 runs to estimate noise, got {runs[i]?.Count ?? 0}.", nameof(runs));
            for (var r = 0; r < runs[i].Count; r++)
                if (!(runs[i][r] > 0)) throw new ArgumentOutOfRangeException(nameof(runs), runs[i][r], $"runs[{i}][{r}] must be positive for a log-log fit.");
        }
        double Average(IReadOnlyList<double> values, IEnumerable<int> picks) => average switch
        {
            RunAverage.Mean => picks.Average(r => values[r]),
            RunAverage.GeometricMean => Math.Exp(picks.Average(r => Math.Log(values[r]))),
            RunAverage.RootMeanSquare => Math.Sqrt(picks.Average(r => values[r] * values[r])),
            _ => throw new ArgumentOutOfRangeException(nameof(average), average, "Unknown RunAverage."),
        };
        var averages = runs.Select(v => Average(v, Enumerable.Range(0, v.Count))).ToArray();
        var (intercept, exponent) = LogLogLine(x, averages);
        var standardError = Bootstrap.StandardError(runs.Select(v => v.Count).ToArray(),
            picks => LogLogSlope(x, runs.Select((v, i) => Average(v, picks[i])).ToArray()), resamples, seed);
        return new PowerLawFit(exponent, standardError, Math.Exp(intercept), averages);
    }
}

/// <summary>How <see cref="Fits.PowerLaw"/> averages the runs at one x.</summary>
public enum RunAverage
{
    /// <summary>The arithmetic mean, for quantities of similar size across runs.</summary>
    Mean,
    /// <summary>exp(mean log y): for positive, right-skewed quantities such as gaps between two models.</summary>
    GeometricMean,
    /// <summary>sqrt(mean y^2): for deviations whose mean square is a variance plus a squared bias.</summary>
    RootMeanSquare,
}

/// <summary>A fitted power law y = <see cref="Prefactor"/> x^<see cref="Exponent"/> (<see cref="Fits.PowerLaw"/>).</summary>
/// <param name="Exponent">The log-log slope p.</param>
/// <param name="StandardError">The bootstrap standard error of p over the runs.</param>
/// <param name="Prefactor">C, the fitted line's value at x = 1.</param>
/// <param name="Averages">The runs' averages at each x, the points the line was fitted to.</param>
public sealed record PowerLawFit(double Exponent, double StandardError, double Prefactor, IReadOnlyList<double> Averages)
{
    /// <summary>The fitted line at <paramref name="x"/>: C x^p.</summary>
    public double At(double x) => Prefactor * Math.Pow(x, Exponent);
}
