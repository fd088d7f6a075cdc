namespace NtkNotebooks.Benchmarks.Hardware;

/// <summary>A one-line description of the CPU (model name from /proc/cpuinfo) and memory.</summary>
public static class MachineDescription
{
    /// <summary>E.g. "AMD EPYC 7B13, 2 logical CPUs, 23.5 GiB RAM".</summary>
    public static string Describe()
    {
        var model = "unknown CPU";
        if (File.Exists("/proc/cpuinfo"))
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            if (line is not null) model = line[(line.IndexOf(':') + 1)..].Trim();
        }
        var memory = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (double)(1L << 30);
        return $"{model}, {Environment.ProcessorCount} logical CPUs, {memory:F1} GiB RAM";
    }
}
