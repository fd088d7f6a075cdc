using System.Diagnostics;

namespace NtkNotebooks.Benchmarks.Harness;

/// <summary>
/// The process's peak resident memory (VmHWM of /proc/self/status on Linux), which <see cref="Reset"/> can restart
/// from the current resident size (writing 5 to /proc/self/clear_refs), so each scale case reports its own peak.
/// </summary>
public static class PeakMemory
{
    /// <summary>Restarts the high-water mark at the current resident size; false where the OS does not allow it.</summary>
    public static bool Reset()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Peak resident bytes since start or the last <see cref="Reset"/>.</summary>
    public static long HighWaterMarkBytes() => StatusKilobytes("VmHWM:") * 1024 ?? Process.GetCurrentProcess().PeakWorkingSet64;

    /// <summary>Current resident bytes.</summary>
    public static long ResidentBytes() => StatusKilobytes("VmRSS:") * 1024 ?? Process.GetCurrentProcess().WorkingSet64;

    static long? StatusKilobytes(string field)
    {
        const string status = "/proc/self/status";
        if (!File.Exists(status)) return null;
        var line = File.ReadLines(status).FirstOrDefault(l => l.StartsWith(field, StringComparison.Ordinal));
        if (line is null) return null;
        var number = line[field.Length..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
        return long.TryParse(number, out var kb) ? kb : null;
    }
}
