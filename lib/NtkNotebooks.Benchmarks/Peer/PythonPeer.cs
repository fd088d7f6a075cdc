using System.Text.Json;
using System.Text.Json.Nodes;
using NtkNotebooks.Benchmarks.Harness;

namespace NtkNotebooks.Benchmarks.Peer;

/// <summary>
/// Runs the Python peer (peer/run_peer.py next to this program) on a workspace's tasks, with the same thread count
/// (torch.set_num_threads and the OMP/OpenBLAS/MKL variables) and the same timing policy, and reads its report.
/// </summary>
public static class PythonPeer
{
    static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>Runs every task of <paramref name="workspace"/>; never throws for a peer failure (the report says why).</summary>
    public static PeerResults Run(PeerWorkspace workspace, int threads, TimingPolicy policy, double timeLimitSeconds,
        int matmulSize, TextWriter log)
    {
        var script = Path.Combine(AppContext.BaseDirectory, "peer", "run_peer.py");
        if (!File.Exists(script)) return PeerResults.Unavailable(workspace.Tasks, $"missing {script}");
        var plan = new JsonObject
        {
            ["threads"] = threads,
            ["time_limit_seconds"] = timeLimitSeconds,
            ["matmul_size"] = matmulSize,
            ["timing"] = JsonSerializer.SerializeToNode(policy, Json),
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

        var count = threads.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var environment = new Dictionary<string, string>
        {
            ["OMP_NUM_THREADS"] = count,
            ["OPENBLAS_NUM_THREADS"] = count,
            ["MKL_NUM_THREADS"] = count,
            ["PYTHONDONTWRITEBYTECODE"] = "1",
            ["PYTHONUNBUFFERED"] = "1",
        };
        var exit = ProcessRunner.Run(PeerInstaller.Python, [script, planPath, resultsPath], log, environment);
        if (!File.Exists(resultsPath))
            return PeerResults.Unavailable(workspace.Tasks, $"the peer exited with code {exit} and wrote no results");
        var results = JsonSerializer.Deserialize<PeerResults>(File.ReadAllText(resultsPath), Json)
            ?? PeerResults.Unavailable(workspace.Tasks, "empty peer results");
        foreach (var task in workspace.Tasks.Where(t => !results.Tasks.ContainsKey(t.Id)))
            results.Tasks[task.Id] = new PeerTaskResult("failed", null, null, null, null, null, $"no result (peer exit code {exit})");
        return results;
    }
}
