using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using NtkNotebooks.Benchmarks.Harness;

namespace NtkNotebooks.Benchmarks.Peer;

/// <summary>
/// What both Python peers (the benchmark's <see cref="PythonPeer"/>, the device check's GpuPeer) share: the plan they
/// read (the mode's own settings, then threads, matmul size, timing policy and the workspace's tasks), the run of the
/// script with the thread variables set (OMP/OpenBLAS/MKL), and the report they write.
/// </summary>
public static class PeerProcess
{
    /// <summary>The plan's and the report's JSON names (snake_case, as the Python side spells them).</summary>
    public static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>The path of a peer script, in peer/ beside this program.</summary>
    public static string Script(string name) => Path.Combine(AppContext.BaseDirectory, "peer", name);

    /// <summary>
    /// Writes the plan (<paramref name="settings"/> followed by the common fields) into <paramref name="workspace"/>,
    /// runs <paramref name="script"/> PLAN RESULTS with <paramref name="python"/> and reads its report; a task the
    /// report lacks is failed with the exit code. Never throws for a peer failure (the report says why).
    /// </summary>
    public static PeerResults Run(string python, string script, PeerWorkspace workspace, JsonObject settings,
        int threads, int matmulSize, TimingPolicy policy, TextWriter log)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        ArgumentNullException.ThrowIfNull(settings);
        if (!File.Exists(script)) return PeerResults.Unavailable(workspace.Tasks, $"missing {script}");
        var plan = settings;
        plan["threads"] = threads;
        plan["matmul_size"] = matmulSize;
        plan["timing"] = JsonSerializer.SerializeToNode(policy, Json);
        plan["tasks"] = new JsonArray(workspace.Tasks.Select(t => (JsonNode)new JsonObject
        {
            ["id"] = t.Id,
            ["kind"] = t.Kind,
            ["args"] = t.Arguments.DeepClone(),
        }).ToArray());
        var planPath = workspace.PathOf("plan.json");
        var resultsPath = workspace.PathOf("results.json");
        File.WriteAllText(planPath, plan.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));

        var count = threads.ToString(CultureInfo.InvariantCulture);
        var environment = new Dictionary<string, string>
        {
            ["OMP_NUM_THREADS"] = count,
            ["OPENBLAS_NUM_THREADS"] = count,
            ["MKL_NUM_THREADS"] = count,
            ["PYTHONDONTWRITEBYTECODE"] = "1",
            ["PYTHONUNBUFFERED"] = "1",
        };
        var exit = ProcessRunner.Run(python, [script, planPath, resultsPath], log, environment);
        if (!File.Exists(resultsPath))
            return PeerResults.Unavailable(workspace.Tasks, $"the peer exited with code {exit} and wrote no results");
        var results = JsonSerializer.Deserialize<PeerResults>(File.ReadAllText(resultsPath), Json)
            ?? PeerResults.Unavailable(workspace.Tasks, "empty peer results");
        foreach (var task in workspace.Tasks.Where(t => !results.Tasks.ContainsKey(t.Id)))
            results.Tasks[task.Id] = new PeerTaskResult("failed", null, null, null, null, null, $"no result (peer exit code {exit})");
        return results;
    }
}
