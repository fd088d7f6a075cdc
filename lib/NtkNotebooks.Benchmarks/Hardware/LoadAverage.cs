using System.Globalization;

namespace NtkNotebooks.Benchmarks.Hardware;

/// <summary>
/// The 1-minute load average (/proc/loadavg): how busy the machine was around the measurements. Above the thread
/// count, other processes competed for the cores and every time in the report is inflated.
/// </summary>
public static class LoadAverage
{
    /// <summary>The 1-minute load average, or NaN where unavailable.</summary>
    public static double OneMinute()
    {
        const string path = "/proc/loadavg";
        if (!File.Exists(path)) return double.NaN;
        var first = File.ReadAllText(path).Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
        return double.TryParse(first, NumberStyles.Float, CultureInfo.InvariantCulture, out var load) ? load : double.NaN;
    }
}
