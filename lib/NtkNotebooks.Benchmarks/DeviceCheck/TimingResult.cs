using NtkNotebooks.Benchmarks.Harness;
using NtkNotebooks.Benchmarks.Peer;
using NtkNotebooks.Benchmarks.Report;

namespace NtkNotebooks.Benchmarks.DeviceCheck;

/// <summary>A timing row joined with the peer's result for the same task: its timing and how close its output is to ours.</summary>
/// <param name="Row">Our measurement.</param>
/// <param name="Peer">The peer's timing, when it ran.</param>
/// <param name="PeerNote">Why the peer has no timing (skipped, failed, not run), or its remark.</param>
/// <param name="Agreement">max|ours - peer| / max|peer| of the outputs (kernel, or outputs after one step); null when not compared.</param>
public sealed record TimingResult(TimingRow Row, Timing? Peer, string? PeerNote, double? Agreement)
{
    /// <summary>The agreement threshold: the 1e-4 (float32 Jacobian contractions over millions of parameters).</summary>
    public const double AgreementTolerance = ErrorCheck.Tolerance;

    /// <summary>Compared with the peer and further apart than <see cref="AgreementTolerance"/> (NaN included).</summary>
    public bool Disagrees => Agreement is { } e && !(e <= AgreementTolerance);

    /// <summary>Joins each row with the peer's task of the same id (disposing our kept outputs).</summary>
    public static List<TimingResult> Join(IEnumerable<TimingRow> rows, PeerResults? peer, PeerWorkspace? workspace, string peerStatus)
    {
        var joined = new List<TimingResult>();
        foreach (var row in rows)
        {
            using var ours = row.Output;
            if (row.PeerId is null)
            {
                joined.Add(new TimingResult(row, null, null, null));
                continue;
            }
            if (peer is null || !peer.Tasks.TryGetValue(row.PeerId, out var task))
            {
                joined.Add(new TimingResult(row, null, peerStatus, null));
                continue;
            }
            double? agreement = null;
            if (ours is not null && task.Output is { } file && workspace is not null && File.Exists(workspace.PathOf(file)))
            {
                using var theirs = Npy.Read(workspace.PathOf(file));
                agreement = ErrorCheck.ScaledMaxError(ours, theirs);
            }
            joined.Add(new TimingResult(row, task.Timing, task.Status == "ok" ? null : $"{task.Status}: {task.Reason}", agreement));
        }
        return joined;
    }
}
