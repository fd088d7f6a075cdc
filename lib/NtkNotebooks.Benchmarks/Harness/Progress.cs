using System.Globalization;

namespace NtkNotebooks.Benchmarks.Harness;

/// <summary>Progress lines on standard error while the cases run (standard output carries only the table).</summary>
public static class Progress
{
    /// <summary>"ours  name [method]: median 1.23 s (min 1.20 s, 5 runs)" or the skip reason.</summary>
    public static CaseResult Report(TextWriter log, CaseResult result)
    {
        var what = result.Ours is { } t
            ? $"median {Seconds(t.MedianSeconds)} (min {Seconds(t.MinSeconds)}, {t.Repetitions} runs)"
            : "not run: " + result.Note;
        log.WriteLine($"  ours  {result.Name} [{result.Method}, {result.DType}]: {what}");
        return result;
    }

    /// <summary>A duration with a readable unit: "812 us", "15.3 ms", "2.41 s".</summary>
    public static string Seconds(double seconds) => seconds switch
    {
        < 1e-3 => (seconds * 1e6).ToString("0", CultureInfo.InvariantCulture) + " us",
        < 1 => (seconds * 1e3).ToString(seconds < 0.1 ? "0.00" : "0.0", CultureInfo.InvariantCulture) + " ms",
        < 100 => seconds.ToString("0.00", CultureInfo.InvariantCulture) + " s",
        _ => seconds.ToString("0", CultureInfo.InvariantCulture) + " s",
    };
}
