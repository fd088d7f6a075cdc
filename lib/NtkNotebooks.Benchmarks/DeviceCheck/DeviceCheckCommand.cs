using System.Diagnostics;
using NtkNotebooks.Benchmarks.Hardware;
using NtkNotebooks.Benchmarks.Peer;
using NtkNotebooks.Platform;
using TorchSharp;
using static TorchSharp.torch;

namespace NtkNotebooks.Benchmarks.DeviceCheck;

/// <summary>
/// The GPU check (<c>--device</c>): loads libtorch for the device, compares every public API computed on the device
/// with the same call on the CPU, times the issue's cases on the device against torch.func on the same device, and
/// writes a Markdown report. Progress goes to standard error, the report to standard output and a file.
/// </summary>
public static class DeviceCheckCommand
{
    /// <summary>
    /// Exit code 0 when every comparison passed, every timed case ran and every output agreed with the peer's; 1 otherwise;
    /// 2 when the device cannot be used. Missed speed goals are reported, not failures.
    /// </summary>
    public static int Run(DeviceCheckOptions options)
    {
        var log = Console.Error;
        var clock = Stopwatch.StartNew();
        Device device;
        try
        {
            // Before any other TorchSharp call: it loads the libtorch this build's backend uses.
            device = TorchRuntime.Initialize(options.Device);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            Console.Error.WriteLine("error: " + e.Message);
            return 2;
        }
        set_num_threads(options.Threads);
        var describedDevice = TorchRuntime.Describe(device);
        var libtorch = TorchRuntime.LibTorchDirectory ?? "TorchSharp's own loader (no folder recorded)";
        log.WriteLine($"Device {describedDevice}; TorchBackend={TorchRuntime.Backend}; libtorch from {libtorch}");
        var sizes = options.Quick ? DeviceCheckSizes.Quick(options.BudgetSeconds) : DeviceCheckSizes.Full(options.BudgetSeconds);

        var python = options.Python ?? GpuPeer.DefaultPython;
        var (peerAvailable, peerDetail) = options.Peer ? GpuPeer.Probe(python, device) : (false, "--no-peer");
        log.WriteLine(peerAvailable ? $"Peer: {peerDetail}" : $"Peer not run: {peerDetail}");
        using var workspace = peerAvailable ? new PeerWorkspace() : null;

        log.WriteLine($"== correctness on {DeviceComparer.Name(device)} against the CPU");
        var comparer = new DeviceComparer(device, log);
        using (var inputs = new CheckInputs())
        {
            NetworkComparisons.Run(comparer, inputs);
            KernelComparisons.Run(comparer, inputs);
            DynamicsComparisons.Run(comparer, inputs);
            TrainingComparisons.Run(comparer, inputs);
            DataComparisons.Run(comparer);
        }

        log.WriteLine($"== timings on {DeviceComparer.Name(device)} ({(options.Quick ? "quick" : "full")} sizes)");
        var rows = GpuTimings.Run(device, sizes, workspace, log);
        PeerResults? peer = null;
        if (workspace is not null)
        {
            log.WriteLine($"== peer ({python}, {workspace.Tasks.Count} tasks on {DeviceComparer.Name(device)})");
            peer = GpuPeer.Run(python, workspace, device, options.Threads, sizes, log);
        }
        var timings = TimingResult.Join(rows, peer, workspace, peerAvailable ? "no result" : "peer not run");
        var goals = Goals.Judge(rows, peer, sizes);

        var machine = new DeviceCheckReport.Machine(describedDevice, device.type == DeviceType.CUDA ? DriverVersion() : null,
            MachineDescription.Describe(), TorchRuntime.Backend, libtorch, typeof(torch).Assembly.GetName().Version?.ToString() ?? "?",
            CudnnTf32.Describe(), peerAvailable ? PeerLine(peer, peerDetail) : $"not run ({peerDetail})",
            options.Quick ? "quick sizes" : "full sizes", options.Threads);
        var report = DeviceCheckReport.Compose(machine, comparer.Rows, timings, goals, clock.Elapsed);
        Console.Out.Write(report);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(options.Output))!);
        File.WriteAllText(options.Output, report);
        log.WriteLine($"Report written to {Path.GetFullPath(options.Output)} ({clock.Elapsed.TotalSeconds:F0} s)");

        var failed = comparer.Rows.Where(r => !r.Passed).Select(r => r.Api)
            .Concat(timings.Where(t => t.Row.Failed).Select(t => $"timing of {t.Row.Case} ({t.Row.Note})"))
            .Concat(timings.Where(t => t.Disagrees).Select(t => $"{t.Row.Case} [{t.Row.Ours}] against the peer")).ToArray();
        foreach (var what in failed) log.WriteLine($"error: {what} failed");
        return failed.Length > 0 ? 1 : 0;
    }

    static string PeerLine(PeerResults? peer, string probe)
    {
        if (peer is null || peer.MatmulGflops.Count == 0) return probe;
        var rates = string.Join(", ", peer.MatmulGflops.Select(kv => $"{kv.Key} {kv.Value:F0}"));
        return $"{probe}; its matmul: {rates} GFLOP/s";
    }

    // The driver version as nvidia-smi reports it (null where there is none).
    static string? DriverVersion()
    {
        var (code, output) = ProcessRunner.Capture("nvidia-smi", ["--query-gpu=driver_version", "--format=csv,noheader"]);
        var line = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
        return code == 0 && !string.IsNullOrEmpty(line) ? line : null;
    }
}
