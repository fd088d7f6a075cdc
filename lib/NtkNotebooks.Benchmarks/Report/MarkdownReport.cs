using System.Globalization;
using System.Text;
using NtkNotebooks.Benchmarks.Peer;
using static TorchSharp.torch;

namespace NtkNotebooks.Benchmarks.Report;

/// <summary>The whole report: title, hardware line, the tables and the definitions behind their numbers.</summary>
public static class MarkdownReport
{
    /// <summary>Composes the report.</summary>
    public static string Compose(IReadOnlyList<ReportRow> rows, IReadOnlyDictionary<ScalarType, double> matmul, int matmulSize,
        int threads, PeerResults? peer, string peerStatus, string mode, string hardware, RunConditions conditions)
    {
        var text = new StringBuilder();
        var date = DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
        text.AppendLine($"## NTK benchmarks ({mode}, {threads} threads, {date})");
        text.AppendLine();
        text.AppendLine($"Hardware: {hardware}. Matmul {matmulSize}x{matmulSize} with TorchSharp 0.107 (libtorch 2.10), {threads} threads: " +
            $"float32 {Format.Significant(matmul[ScalarType.Float32])} GFLOP/s, float64 {Format.Significant(matmul[ScalarType.Float64])} GFLOP/s " +
            $"at the start (the % of matmul peak below), float32 {Format.Significant(conditions.MatmulAtEnd[ScalarType.Float32])}, " +
            $"float64 {Format.Significant(conditions.MatmulAtEnd[ScalarType.Float64])} GFLOP/s at the end. " +
            $"Load average {Format.Fixed(conditions.LoadAtStart, 2)} at the start, {Format.Fixed(conditions.LoadAtEnd, 2)} at the end" +
            (Math.Max(conditions.LoadAtStart, conditions.LoadAtEnd) > threads + 0.5
                ? " (above the thread count: other processes shared the cores, so times are inflated and noisier)."
                : "."));
        text.AppendLine();
        text.AppendLine("Peer: " + PeerLine(peer, peerStatus));
        text.AppendLine();
        text.Append(ResultsTables.Cases(rows.Where(r => r.Case.PeakBytes is null), matmul));
        var scale = rows.Where(r => r.Case.PeakBytes is not null).ToArray();
        if (scale.Length > 0)
        {
            text.AppendLine();
            text.AppendLine("Scale (--scale; ours only):");
            text.AppendLine();
            text.Append(ResultsTables.Scale(scale, matmul));
        }
        text.AppendLine();
        text.Append(GoalsTable.Build(rows, matmul));
        text.AppendLine();
        text.AppendLine("Times are wall-clock medians (minimum in parentheses) after one warm-up run: at least 5 timed runs, or 3 when " +
            "their time exceeds the per-case budget; the peer uses the same rule, threads and inputs. Ours / peer < 1 means ours is faster. " +
            "Achieved GFLOP/s = FLOPs of our algorithm / median time (FlopCount.cs: matrix products only; nominal operation counts for " +
            "the elementwise analytic kernel, which is memory-bound, so no matmul share is given). Max rel. error = max|ours - peer| / max|peer| " +
            "over all entries (kernel, predictions at all times, or outputs after one SGD step); it must be below 1e-4.");
        return text.ToString();
    }

    static string PeerLine(PeerResults? peer, string status)
    {
        if (peer is null || peer.Versions.Count == 0) return $"not run ({status}).";
        string Version(string key) => peer.Versions.GetValueOrDefault(key, "?");
        string Rate(string key) => peer.MatmulGflops.TryGetValue(key, out var v) ? Format.Significant(v) : "?";
        return $"Python {Version("python")}, PyTorch {Version("torch")} with functorch (empirical NTK, training), NumPy {Version("numpy")} " +
            $"on {Version("blas")} (analytic NTK, closed form); same matmul: torch float32 {Rate("torch_float32")}, torch float64 " +
            $"{Rate("torch_float64")}, NumPy float64 {Rate("numpy_float64")} GFLOP/s.";
    }
}
