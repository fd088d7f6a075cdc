using NtkNotebooks.Benchmarks.Cases;
using NtkNotebooks.Benchmarks.Hardware;
using NtkNotebooks.Benchmarks.Peer;
using NtkNotebooks.Benchmarks.Report;
using static TorchSharp.torch;

namespace NtkNotebooks.Benchmarks;

/// <summary>
/// One benchmark run: our cases, then the Python peer on the same inputs and weights, then the correctness checks,
/// the optional scale cases, and the report (standard output and a Markdown file). Progress goes to standard error.
/// </summary>
public static class BenchmarkCommand
{
    /// <summary>The case groups in the order they run; <c>--only</c> selects among their names.</summary>
    public static readonly (string Name, string Title, Func<BenchmarkContext, IEnumerable<CaseResult>> Run)[] CaseGroups =
    [
        ("empirical", "empirical NTK", EmpiricalNtkCases.Run),
        ("cnn", "empirical NTK of a CNN", CnnNtkCases.Run),
        ("analytic", "analytic NTK", AnalyticNtkCases.Run),
        ("closed-form", "closed-form prediction", ClosedFormCases.Run),
        ("training", "training step", TrainingStepCases.Run),
    ];

    /// <summary>Runs everything; exit code 1 when a correctness check fails, 0 otherwise.</summary>
    public static int Run(BenchmarkOptions options)
    {
        var log = Console.Error;
        // Loads the libtorch of this build's backend before any other TorchSharp call (the library's contract).
        NtkNotebooks.Platform.TorchRuntime.Initialize("cpu");
        set_num_threads(options.Threads);
        var sizes = options.Quick ? BenchmarkSizes.Quick(options.BudgetSeconds) : BenchmarkSizes.Full(options.BudgetSeconds);

        var (peerAvailable, peerStatus) = options.Peer ? PeerInstaller.Ensure(log) : (false, "--no-peer");
        if (options.Peer && !peerAvailable) log.WriteLine($"The peer is unavailable: {peerStatus}. Continuing without it.");
        using var workspace = peerAvailable ? new PeerWorkspace() : null;

        var loadAtStart = LoadAverage.OneMinute();
        log.WriteLine($"== matmul rate ({sizes.MatmulSize}x{sizes.MatmulSize}, {options.Threads} threads; load average {loadAtStart:F2})");
        var matmul = new Dictionary<ScalarType, double>
        {
            [ScalarType.Float32] = MatmulRate.Measure(ScalarType.Float32, sizes.MatmulSize, sizes.Policy),
            [ScalarType.Float64] = MatmulRate.Measure(ScalarType.Float64, sizes.MatmulSize, sizes.Policy),
        };
        log.WriteLine($"  float32 {matmul[ScalarType.Float32]:F1} GFLOP/s, float64 {matmul[ScalarType.Float64]:F1} GFLOP/s");

        var context = new BenchmarkContext(sizes, workspace, matmul, log);
        var cases = new List<CaseResult>();
        foreach (var group in CaseGroups.Where(g => options.Only.Contains(g.Name)))
        {
            log.WriteLine($"== {group.Title}");
            cases.AddRange(group.Run(context));
        }

        PeerResults? peer = null;
        if (workspace is not null)
        {
            log.WriteLine($"== peer (/usr/bin/python3, {workspace.Tasks.Count} tasks, {options.Threads} threads)");
            peer = PythonPeer.Run(workspace, options.Threads, sizes.Policy, sizes.TimeLimitSeconds, sizes.MatmulSize, log);
        }
        var rows = ReportRow.Join(cases, peer, workspace).ToList();

        if (options.Scale)
        {
            log.WriteLine("== scale");
            rows.AddRange(ReportRow.Join(ScaleCases.Run(context with { Peer = null }).ToList(), null, null));
        }

        // Measured again at the end: a machine shared with other work shows as a different rate or a high load.
        var matmulAtEnd = new Dictionary<ScalarType, double>
        {
            [ScalarType.Float32] = MatmulRate.Measure(ScalarType.Float32, sizes.MatmulSize, sizes.Policy),
            [ScalarType.Float64] = MatmulRate.Measure(ScalarType.Float64, sizes.MatmulSize, sizes.Policy),
        };
        var conditions = new RunConditions(loadAtStart, LoadAverage.OneMinute(), matmulAtEnd);
        var mode = (options.Quick ? "quick sizes" : "full sizes") + (options.Scale ? " + scale" : "");
        var report = MarkdownReport.Compose(rows, matmul, sizes.MatmulSize, options.Threads, peer, peerStatus, mode,
            MachineDescription.Describe(), conditions);
        Console.Out.Write(report);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(options.Output))!);
        File.WriteAllText(options.Output, report);
        log.WriteLine($"Report written to {Path.GetFullPath(options.Output)}");

        var failed = rows.Where(r => r.Failed).ToArray();
        foreach (var row in failed)
            log.WriteLine($"error: {row.Case.Name} [{row.Case.Method}] differs from the peer by {row.Error:E2} (limit {ErrorCheck.Tolerance:E0}).");
        return failed.Length > 0 ? 1 : 0;
    }
}
