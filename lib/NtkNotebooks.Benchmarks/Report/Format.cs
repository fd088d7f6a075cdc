using System.Globalization;
using NtkNotebooks.Benchmarks.Harness;

namespace NtkNotebooks.Benchmarks.Report;

/// <summary>Number formats of the tables.</summary>
public static class Format
{
    static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>"1.23 s (1.20 s)": median (min).</summary>
    public static string Timing(Timing? timing, string? otherwise) =>
        timing is { } t ? $"{Progress.Seconds(t.MedianSeconds)} ({Progress.Seconds(t.MinSeconds)})" : otherwise ?? "—";

    /// <summary>"0.0061 (164x faster)" or "1.80 (1.8x slower)".</summary>
    public static string Ratio(double? ratio) => ratio switch
    {
        null => "—",
        < 1 => $"{Significant(ratio.Value)} ({Significant(1 / ratio.Value)}x faster)",
        _ => $"{Significant(ratio.Value)} ({Significant(ratio.Value)}x slower)",
    };

    /// <summary>Three significant digits, without exponent for ordinary magnitudes.</summary>
    public static string Significant(double value) => value switch
    {
        >= 100 => value.ToString("0", Invariant),
        >= 10 => value.ToString("0.0", Invariant),
        >= 1 => value.ToString("0.00", Invariant),
        >= 0.001 => value.ToString("G3", Invariant),
        _ => value.ToString("0.00e+0", Invariant),
    };

    /// <summary>"3.1e-07 ok" / "2.0e-03 FAIL" / "—".</summary>
    public static string Error(double? error) => error is { } e
        ? e.ToString("0.0e+00", Invariant) + (e < ErrorCheck.Tolerance ? " ok" : " FAIL")
        : "—";

    /// <summary>GiB with one decimal.</summary>
    public static string Gibibytes(long bytes) => (bytes / (double)(1L << 30)).ToString("0.0", Invariant) + " GiB";

    /// <summary>A number with a fixed number of decimals.</summary>
    public static string Fixed(double value, int decimals) => value.ToString("F" + decimals, Invariant);
}
