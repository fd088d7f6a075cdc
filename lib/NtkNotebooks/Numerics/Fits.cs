using MathNet.Numerics;

namespace NtkNotebooks;

/// <summary>Fits used by the notebooks' claims (MathNet.Numerics least squares).</summary>
public static class Fits
{
    /// <summary>
    /// The slope p of the least-squares line through (log x, log y): y ~ C x^p. The paper's scaling claims are such
    /// exponents (e.g. p = -1/2 for fluctuations of order n^{-1/2}).
    /// </summary>
    public static double LogLogSlope(IReadOnlyList<double> x, IReadOnlyList<double> y)
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
        var (_, slope) = Fit.Line(x.Select(v => Math.Log(v)).ToArray(), y.Select(v => Math.Log(v)).ToArray());
        return slope;
    }
}
