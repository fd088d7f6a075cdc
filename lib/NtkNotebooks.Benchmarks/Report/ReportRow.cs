using NtkNotebooks.Benchmarks.Harness;
using NtkNotebooks.Benchmarks.Peer;

namespace NtkNotebooks.Benchmarks.Report;

/// <summary>A measured case joined with the peer's timing and the correctness check.</summary>
/// <param name="Case">Our side.</param>
/// <param name="Peer">The peer's timing, when it ran.</param>
/// <param name="PeerNote">Why the peer has no timing (skipped, failed, not run).</param>
/// <param name="Error">Scaled max error against the peer's output, when both have one.</param>
public sealed record ReportRow(CaseResult Case, Timing? Peer, string? PeerNote, double? Error)
{
    /// <summary>Ours / peer (median); null without both timings or for different dtypes.</summary>
    public double? Ratio => Case.Ours is { } ours && Peer is { } peer && Case.SameDTypeAsPeer ? ours.MedianSeconds / peer.MedianSeconds : null;

    /// <summary>Whether the correctness check failed.</summary>
    public bool Failed => Error is { } e && !(e < ErrorCheck.Tolerance);

    /// <summary>Joins each case with its peer task; disposes the cases' outputs after comparing them.</summary>
    public static IReadOnlyList<ReportRow> Join(IReadOnlyList<CaseResult> cases, PeerResults? peer, PeerWorkspace? workspace)
    {
        var rows = new List<ReportRow>();
        foreach (var result in cases)
        {
            Timing? peerTiming = null;
            string? note = null;
            double? error = null;
            if (result.PeerId is null) note = peer is null ? "not run (--no-peer)" : "—";
            else if (peer is null || !peer.Tasks.TryGetValue(result.PeerId, out var task)) note = "not run";
            else
            {
                peerTiming = task.Timing;
                note = task.Status == "ok" ? null : $"{task.Status}: {Shorten(task.Reason)}";
                if (result.Output is { } output && task.Output is { } file && workspace is not null)
                {
                    using var theirs = Npy.Read(workspace.PathOf(file));
                    error = ErrorCheck.ScaledMaxError(output, theirs);
                }
            }
            result.Output?.Dispose();
            rows.Add(new ReportRow(result, peerTiming, note, error));
        }
        return rows;
    }

    static string Shorten(string? reason) =>
        reason is null ? "" : reason.Length <= 100 ? reason : reason[..97] + "...";
}
