using System.Globalization;
using System.Text;
using NtkNotebooks.Benchmarks.Harness;
using NtkNotebooks.Benchmarks.Report;

namespace NtkNotebooks.Benchmarks.DeviceCheck;

/// <summary>The device check's Markdown report: the machine, the correctness table, the timing table and the goals.</summary>
public static class DeviceCheckReport
{
    /// <summary>What the report says about the machine and the run.</summary>
    /// <param name="Device">"cuda:0 (NVIDIA H200, 139.8 GiB)".</param>
    /// <param name="Driver">The NVIDIA driver version, or null.</param>
    /// <param name="Cpu">CPU model, cores, memory.</param>
    /// <param name="Backend">TorchBackend of the build.</param>
    /// <param name="LibTorch">Folder libtorch was loaded from.</param>
    /// <param name="TorchSharp">TorchSharp's version.</param>
    /// <param name="Tf32">The TF32 switches.</param>
    /// <param name="Peer">The peer's versions, or why it did not run.</param>
    /// <param name="Mode">"quick sizes" or "full sizes".</param>
    /// <param name="Threads">CPU threads.</param>
    public sealed record Machine(string Device, string? Driver, string Cpu, string Backend, string LibTorch, string TorchSharp, string Tf32,
        string Peer, string Mode, int Threads);

    /// <summary>Composes the report.</summary>
    public static string Compose(Machine machine, IReadOnlyList<ComparisonRow> comparisons, IReadOnlyList<TimingResult> timings,
        IReadOnlyList<Goals.Outcome> goals, TimeSpan elapsed)
    {
        var text = new StringBuilder();
        var date = DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
        text.AppendLine($"## GPU check on {machine.Device} ({machine.Mode}, {date})");
        text.AppendLine();
        text.AppendLine($"- Device: {machine.Device}" + (machine.Driver is { } driver ? $", NVIDIA driver {driver}" : ""));
        text.AppendLine($"- CPU (reference side): {machine.Cpu}, {machine.Threads} threads");
        text.AppendLine($"- Backend: TorchBackend={machine.Backend}, TorchSharp {machine.TorchSharp}, libtorch from {machine.LibTorch}");
        text.AppendLine($"- {machine.Tf32}");
        text.AppendLine($"- Peer: {machine.Peer}");
        text.AppendLine($"- Run time: {elapsed.TotalSeconds:F0} s");
        text.AppendLine();

        var passed = comparisons.Count(r => r.Passed);
        text.AppendLine($"### Correctness: every public API on {comparisons.FirstOrDefault()?.Device ?? "the device"} against the CPU ({passed} of {comparisons.Count} passed)");
        text.AppendLine();
        text.AppendLine("| API | device | max rel. error | tolerance | result | bound (why) |");
        text.AppendLine("|---|---|---:|---:|---|---|");
        foreach (var r in comparisons)
        {
            var error = r.MaxRelativeError is { } e ? Scientific(e) : "—";
            var result = r.Passed ? "pass" : "**FAIL**" + (r.Failure is { } f ? ": " + Cell(f) : "");
            text.AppendLine($"| {Cell(r.Api)} | {r.Device} | {error} | {Scientific(r.Tolerance.Value)} | {result} | {Cell(r.Tolerance.Bound)} |");
        }
        text.AppendLine();
        text.AppendLine("Max rel. error = max|device - CPU| / max|CPU| over each result tensor (largest over a call's results; host numbers " +
            "such as losses compared together). Same seeds and host inputs on both sides; networks built from the same seed on each device. " +
            "Bounds c·n·u·A: a reduction of n terms in floating point (u = 2^-52 float64, 2^-24 float32) errs by up to about n u relative " +
            "to the sum of its terms' magnitudes, so two devices summing in different orders differ by up to 2 n u; n adds up the reductions " +
            "along the computation, c = 4, and A is the mathematics' amplification of the algorithm's backward error (a condition number, " +
            "the Lipschitz constant of a matrix function of the kernel; 1 when not given). Eigen-based results are compared only through " +
            "basis-independent quantities (eigenvalues, predictions, losses). Training compares a few steps, at half the divergence limit, " +
            "where errors add over the steps.");
        text.AppendLine();

        text.AppendLine($"### Timings on {machine.Device} against torch.func on the same device");
        text.AppendLine();
        text.AppendLine("| case | ours | ours: median (min) | peer | peer: median (min) | ours / peer | agreement | note |");
        text.AppendLine("|---|---|---:|---|---:|---:|---:|---|");
        foreach (var t in timings)
        {
            var ratio = t.Row.OursTiming is { } o && t.Peer is { } p ? Format.Ratio(o.MedianSeconds / p.MedianSeconds) : "—";
            var agreement = t.Agreement is { } a ? Scientific(a) + (t.Disagrees ? " **FAIL**" : " ok") : "—";
            var peerTime = t.Row.PeerMethod is null ? "—" : Format.Timing(t.Peer, t.PeerNote is { } n ? Cell(n) : "not run");
            text.AppendLine($"| {Cell(t.Row.Case)} | {Cell(t.Row.Ours)} | {Format.Timing(t.Row.OursTiming, "not run")} | {t.Row.PeerMethod ?? "—"} | " +
                $"{peerTime} | {ratio} | {agreement} | {Cell(t.Row.Note ?? "")} |");
        }
        text.AppendLine();
        text.AppendLine("Wall-clock medians (minimum in parentheses) of at least 5 runs after one warm-up; every run ends with a device " +
            "synchronization (torch.cuda.synchronize on both sides), each of ours in its own dispose scope. Ours / peer < 1 means ours is faster. " +
            $"Agreement = max|ours - peer| / max|peer| of the kernel, or of the outputs after one SGD step from the same weights; it must be below {TimingResult.AgreementTolerance:0e+0}.");
        text.AppendLine();

        text.AppendLine("### Goals of the issue");
        text.AppendLine();
        text.AppendLine("| goal | measured | verdict |");
        text.AppendLine("|---|---|---|");
        foreach (var g in goals) text.AppendLine($"| {Cell(g.Goal)} | {Cell(g.Measured)} | {g.Verdict} |");
        return text.ToString();
    }

    static string Scientific(double value) => double.IsNaN(value) ? "NaN" : value.ToString("0.0e+00", CultureInfo.InvariantCulture);

    static string Cell(string text) => text.Replace("|", "\\|").Replace('\n', ' ');
}
