using NtkNotebooks.Benchmarks.Harness;
using NtkNotebooks.Benchmarks.Peer;
using NtkNotebooks.Benchmarks.Report;

namespace NtkNotebooks.Benchmarks.DeviceCheck;

/// <summary>The issue's speed goals on the GPU, read off the timing rows.</summary>
public static class Goals
{
    /// <summary>One goal: what it asks, what was measured, and "met" / "not met" / "not measured".</summary>
    /// <param name="Goal">The goal as the issue states it.</param>
    /// <param name="Measured">The numbers it was judged on.</param>
    /// <param name="Verdict">met, NOT met, or not measured (and why).</param>
    public sealed record Outcome(string Goal, string Measured, string Verdict);

    /// <summary>Judges the three goals.</summary>
    public static IReadOnlyList<Outcome> Judge(IReadOnlyList<TimingRow> rows, PeerResults? peer, DeviceCheckSizes sizes)
    {
        TimingRow? Row(string tag) => rows.FirstOrDefault(r => r.Tag == tag);
        var outcomes = new List<Outcome>();

        var structured = Row($"structured-{sizes.StructuredGoalCount}");
        outcomes.Add(Compare($"Structured empirical NTK at least 100x faster than vmap(jacrev), N = {sizes.StructuredGoalCount}",
            structured, peer, (ours, theirs) => theirs / ours >= 100, (ours, theirs) => $"{Format.Significant(theirs / ours)}x faster"));

        var general = Row($"jacobian-{sizes.JacobianCount}");
        outcomes.Add(sizes.JacobianCount == 256
            ? Compare("General (Jacobian) empirical NTK no slower than vmap(jacrev), N = 256", general, peer,
                (ours, theirs) => ours <= theirs, (ours, theirs) => ours <= theirs ? $"{Format.Significant(theirs / ours)}x faster" : $"{Format.Significant(ours / theirs)}x slower")
            : new Outcome("General (Jacobian) empirical NTK no slower than vmap(jacrev), N = 256", "—", "not measured (--quick sizes)"));

        var analytic = Row($"analytic-{sizes.AnalyticGoalCount}");
        var blocks = Row($"analytic-blocks-{sizes.AnalyticGoalCount}");
        const string analyticGoal = "Analytic NTK, ReLU depth 5, float64, N = 20000, under 1 s";
        outcomes.Add(analytic?.OursTiming is { } t
            ? new Outcome(analyticGoal,
                $"{Progress.Seconds(t.MedianSeconds)} (default blocks)" + (blocks?.OursTiming is { } b ? $", {Progress.Seconds(b.MedianSeconds)} ({blocks.Ours.Split(", ").Last()})" : ""),
                t.MedianSeconds < 1 ? "met" : "NOT met")
            : new Outcome(analyticGoal, "—", analytic is null ? "not measured (--quick sizes)" : "not measured (did not run)"));
        return outcomes;
    }

    static Outcome Compare(string goal, TimingRow? row, PeerResults? peer, Func<double, double, bool> met, Func<double, double, string> describe)
    {
        if (row is null) return new Outcome(goal, "—", "not measured (--quick sizes)");
        if (row.OursTiming is not { } ours) return new Outcome(goal, "—", "not measured (ours did not run)");
        if (GpuPeer.TimingOf(peer, row.PeerId) is not { } theirs)
            return new Outcome(goal, $"ours {Progress.Seconds(ours.MedianSeconds)}", "not measured (no peer timing)");
        var (a, b) = (ours.MedianSeconds, theirs.MedianSeconds);
        return new Outcome(goal, $"ours {Progress.Seconds(a)}, peer {Progress.Seconds(b)}: {describe(a, b)}", met(a, b) ? "met" : "NOT met");
    }
}
