using System.Globalization;
using System.Text.Json;
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
    static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>The interpreter used when --python is not given.</summary>
    public const string DefaultPython = "python3";

    static string Script => Path.Combine(AppContext.BaseDirectory, "peer", "gpu_peer.py");

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
    public static PeerResults Run(string python, PeerWorkspace workspace, Device device, int threads, DeviceCheckSizes sizes, TextWriter log)
    {
        var plan = new JsonObject
        {
            ["device"] = DeviceComparer.Name(device),
            ["threads"] = threads,
            ["matmul_size"] = sizes.MatmulSize,
            ["timing"] = JsonSerializer.SerializeToNode(sizes.Policy, Json),
            ["tasks"] = new JsonArray(workspace.Tasks.Select(t => (JsonNode)new JsonObject
            {
                ["id"] = t.Id,
                ["kind"] = t.Kind,
                ["args"] = t.Arguments.DeepClone(),
            }).ToArray()),
        };
        var planPath = workspace.PathOf("plan.json");
        var resultsPath = workspace.PathOf("results.json");
        File.WriteAllText(planPath, plan.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        var count = threads.ToString(CultureInfo.InvariantCulture);
        var environment = new Dictionary<string, string>
        {
            ["OMP_NUM_THREADS"] = count,
            ["MKL_NUM_THREADS"] = count,
            ["OPENBLAS_NUM_THREADS"] = count,
            ["PYTHONDONTWRITEBYTECODE"] = "1",
            ["PYTHONUNBUFFERED"] = "1",
        };
        var exit = ProcessRunner.Run(python, [Script, planPath, resultsPath], log, environment);
        if (!File.Exists(resultsPath))
            return PeerResults.Unavailable(workspace.Tasks, $"the peer exited with code {exit} and wrote no results");
        var results = JsonSerializer.Deserialize<PeerResults>(File.ReadAllText(resultsPath), Json)
            ?? PeerResults.Unavailable(workspace.Tasks, "empty peer results");
        foreach (var task in workspace.Tasks.Where(t => !results.Tasks.ContainsKey(t.Id)))
            results.Tasks[task.Id] = new PeerTaskResult("failed", null, null, null, null, null, $"no result (peer exit code {exit})");
        return results;
    }

    /// <summary>The peer's timing of a task, when it ran.</summary>
    public static Timing? TimingOf(PeerResults? results, string? id) =>
        id is not null && results is not null && results.Tasks.TryGetValue(id, out var task) ? task.Timing : null;
}
