using System.Text.Json.Nodes;
using NtkNotebooks.Benchmarks.Harness;
using NtkNotebooks.Benchmarks.Peer;
using static TorchSharp.torch;

namespace NtkNotebooks.Benchmarks.DeviceCheck;

/// <summary>
/// The device check's Python peer (peer/gpu_peer.py beside this program): torch.func (functorch on PyTorch 1.x) on the
/// same device, run by the Python on PATH (the GPU machine's PyTorch; nothing is installed), or by --python.
/// </summary>
public static class GpuPeer
{
    /// <summary>The interpreter used when --python is not given.</summary>
    public const string DefaultPython = "python3";

    static string Script => PeerProcess.Script("gpu_peer.py");

    /// <summary>
    /// Whether <paramref name="python"/> can run the peer on <paramref name="device"/>: true and its versions
    /// ("Python 3.12.3, PyTorch 2.11.0 (torch.func), ..."), or false and why not.
    /// </summary>
    public static (bool Available, string Detail) Probe(string python, Device device)
    {
        if (!File.Exists(Script)) return (false, $"missing {Script}");
        var (code, output) = ProcessRunner.Capture(python, [Script, "--probe", DeviceComparer.Name(device)]);
        var last = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "";
        return code switch
        {
            -1 => (false, $"no '{python}' to start (a Python with PyTorch on PATH, or --python PATH)"),
            0 => (true, last),
            _ => (false, $"'{python}' cannot run the peer: {last}"),
        };
    }

    /// <summary>Runs every task of <paramref name="workspace"/>; never throws for a peer failure (the report says why).</summary>
    public static PeerResults Run(string python, PeerWorkspace workspace, Device device, int threads, DeviceCheckSizes sizes, TextWriter log) =>
        PeerProcess.Run(python, Script, workspace, new JsonObject { ["device"] = DeviceComparer.Name(device) },
            threads, sizes.MatmulSize, sizes.Policy, log);

    /// <summary>The peer's timing of a task, when it ran.</summary>
    public static Timing? TimingOf(PeerResults? results, string? id) =>
        id is not null && results is not null && results.Tasks.TryGetValue(id, out var task) ? task.Timing : null;
}
