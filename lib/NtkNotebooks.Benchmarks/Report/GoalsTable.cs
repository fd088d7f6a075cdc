using System.Text;
using NtkNotebooks.Benchmarks.Harness;
using static TorchSharp.torch;

namespace NtkNotebooks.Benchmarks.Report;

/// <summary>
/// The targets and reference points (2 threads on this machine), each with what this run measured and
/// whether it is met. Cases absent from the run (e.g. --quick sizes) show as "not measured".
/// </summary>
public static class GoalsTable
{
    /// <summary>The Markdown table.</summary>
    public static string Build(IReadOnlyList<ReportRow> rows, IReadOnlyDictionary<ScalarType, double> matmul)
    {
        ReportRow? Tagged(string tag) => rows.FirstOrDefault(r => r.Case.Tag == tag);
        var text = new StringBuilder();
        text.AppendLine("| Goal | Target | Measured | Met |");
        text.AppendLine("|---|---|---|---|");

        var structured = Tagged("structured-1024-256");
        Speedup(text, "Structured empirical NTK vs PyTorch vmap(jacrev), 784-3x1024-1 ReLU, N = 256, float32", 100, structured);
        Speedup(text, "Structured CNN empirical NTK (Stax) vs PyTorch vmap(jacrev), notebook 11's CNN (2 x 32 channels), N = 256, float32", 20,
            Tagged("cnn-structured-32-256"));
        Speedup(text, "General empirical NTK (JacobianNtk) vs PyTorch vmap(jacrev), notebook 11's CNN (2 x 32 channels), N = 256, float32", 1,
            Tagged("cnn-general-32-256"));
        Speedup(text, "Analytic NTK vs NumPy, ReLU depth 5, N = 4096, float64", 3, Tagged("analytic-4096"));

        var gram = rows.Where(r => r.Case.Tag?.StartsWith("structured-", StringComparison.Ordinal) == true && r.Case.Ours is not null)
            .OrderByDescending(r => r.Case.Flops).FirstOrDefault();
        if (gram is null) Line(text, "Gram products vs matmul rate", ">= 50 %", "not measured", "—");
        else
        {
            var share = gram.Case.Flops / gram.Case.Ours!.MedianSeconds / 1e9 / matmul[gram.Case.DType];
            Line(text, $"Gram products vs matmul rate (whole StructuredNtk.Compute incl. forward/backward, largest case: {gram.Case.Name})",
                ">= 50 %", Format.Fixed(100 * share, 0) + " %", share >= 0.5 ? "yes" : "no");
        }

        Reference(text, "Reference: PyTorch peer, empirical NTK 3x1024, N = 256", "~8 s", structured?.Peer);
        Reference(text, "Reference: NumPy analytic NTK, depth 5, N = 4096", "~1.6 s", Tagged("analytic-4096")?.Peer);
        Line(text, "Reference: matmul rate, 2 threads", "float32 ~180-200, float64 ~70-100 GFLOP/s",
            $"float32 {Format.Significant(matmul[ScalarType.Float32])}, float64 {Format.Significant(matmul[ScalarType.Float64])} GFLOP/s", "—");
        return text.ToString();
    }

    static void Speedup(StringBuilder text, string goal, double target, ReportRow? row)
    {
        if (row?.Ratio is not { } ratio) Line(text, goal, $">= {target:0}x faster", "not measured", "—");
        else Line(text, goal, $">= {target:0}x faster", ratio < 1 ? $"{Format.Significant(1 / ratio)}x faster" : $"{Format.Significant(ratio)}x slower",
            1 / ratio >= target ? "yes" : "no");
    }

    static void Reference(StringBuilder text, string what, string expected, Timing? measured) =>
        Line(text, what, expected, measured is { } t ? Progress.Seconds(t.MedianSeconds) : "not measured", "—");

    static void Line(StringBuilder text, string goal, string target, string measured, string met) =>
        text.AppendLine($"| {goal} | {target} | {measured} | {met} |");
}
