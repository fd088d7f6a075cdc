using System.Text.Json.Nodes;
using NtkNotebooks.Benchmarks.Harness;

namespace NtkNotebooks.Benchmarks.Peer;

/// <summary>
/// Runs the Python peer (peer/run_peer.py next to this program) on a workspace's tasks, with the same thread count
/// (torch.set_num_threads and the OMP/OpenBLAS/MKL variables) and the same timing policy, and reads its report.
/// </summary>
public static class PythonPeer
{
    /// <summary>Runs every task of <paramref name="workspace"/>; never throws for a peer failure (the report says why).</summary>
    public static PeerResults Run(PeerWorkspace workspace, int threads, TimingPolicy policy, double timeLimitSeconds,
        int matmulSize, TextWriter log) =>
        PeerProcess.Run(PeerInstaller.Python, PeerProcess.Script("run_peer.py"), workspace,
            new JsonObject { ["time_limit_seconds"] = timeLimitSeconds }, threads, matmulSize, policy, log);
}
