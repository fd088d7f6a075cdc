using System.Text;
using static TorchSharp.torch;

namespace NtkNotebooks.Benchmarks.Report;

/// <summary>The Markdown tables: timed cases against the peer, and the scale cases with their peak memory.</summary>
public static class ResultsTables
{
    /// <summary>The main table (rows without a peak-memory figure).</summary>
    public static string Cases(IEnumerable<ReportRow> rows, IReadOnlyDictionary<ScalarType, double> matmul)
    {
        var text = new StringBuilder();
        text.AppendLine("| Case | Methods (ours / peer) | dtype | Ours median (min) | Peer median (min) | Ours / peer | Achieved GFLOP/s | % of matmul peak | Max rel. error vs peer |");
        text.AppendLine("|---|---|---|---|---|---|---|---|---|");
        foreach (var row in rows)
        {
            var c = row.Case;
            var (rate, share) = Rate(c, matmul);
            var ours = Format.Timing(c.Ours, c.Note);
            if (c.Ours is not null && c.Note is not null) ours += $" ({c.Note})";
            text.AppendLine($"| {c.Name} | {c.Method} | {DTypeName(c.DType)} | {ours} | {Format.Timing(row.Peer, row.PeerNote)} | " +
                $"{Format.Ratio(row.Ratio)} | {rate} | {share} | {Format.Error(row.Error)} |");
        }
        return text.ToString();
    }

    /// <summary>The scale table.</summary>
    public static string Scale(IEnumerable<ReportRow> rows, IReadOnlyDictionary<ScalarType, double> matmul)
    {
        var text = new StringBuilder();
        text.AppendLine("| Case | Method | dtype | Time: median (min), runs | Peak resident memory | Achieved GFLOP/s | % of matmul peak | Notes |");
        text.AppendLine("|---|---|---|---|---|---|---|---|");
        foreach (var row in rows)
        {
            var c = row.Case;
            var (rate, share) = Rate(c, matmul);
            var runs = c.Ours is { } t ? $"{Format.Timing(t, null)}, {t.Repetitions} run{(t.Repetitions == 1 ? "" : "s")}" : "not run";
            var peak = c.PeakBytes is { } bytes ? Format.Gibibytes(bytes) : "—";
            text.AppendLine($"| {c.Name} | {c.Method} | {DTypeName(c.DType)} | {runs} | {peak} | {rate} | {share} | {c.Note ?? ""} |");
        }
        return text.ToString();
    }

    /// <summary>Achieved GFLOP/s (nominal for elementwise work) and its share of the matmul rate of the case's dtype.</summary>
    public static (string Rate, string Share) Rate(CaseResult c, IReadOnlyDictionary<ScalarType, double> matmul)
    {
        if (c.Ours is not { } timing || c.Flops <= 0) return ("—", "—");
        var gflops = c.Flops / timing.MedianSeconds / 1e9;
        if (!c.FlopsAreMatmul) return (Format.Significant(gflops) + " (nominal)", "n/a (elementwise)");
        var peak = matmul[c.PeakDType ?? c.DType];
        return (Format.Significant(gflops), Format.Fixed(100 * gflops / peak, 0) + " %");
    }

    /// <summary>"float32" / "float64".</summary>
    public static string DTypeName(ScalarType dtype) => dtype == ScalarType.Float32 ? "float32" : "float64";
}
