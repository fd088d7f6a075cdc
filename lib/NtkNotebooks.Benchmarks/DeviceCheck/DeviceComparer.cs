using NtkNotebooks.Benchmarks.Report;
using TorchSharp;
using static TorchSharp.torch;

namespace NtkNotebooks.Benchmarks.DeviceCheck;

/// <summary>
/// Runs one API call twice, on the CPU and on the device, from the same host inputs and seeds (the call copies the
/// inputs to the device it is given), checks that every result tensor is on that device, compares the results and
/// records a <see cref="ComparisonRow"/>. Never throws for a failing call: the row says why.
/// </summary>
public sealed class DeviceComparer(Device device, TextWriter log)
{
    readonly List<ComparisonRow> _rows = [];

    /// <summary>The device under test.</summary>
    public Device Device { get; } = device;

    /// <summary>The rows so far, in order.</summary>
    public IReadOnlyList<ComparisonRow> Rows => _rows;

    /// <summary>Compares <paramref name="call"/> on the CPU and on the device against a fixed tolerance.</summary>
    public void Compare(string api, Tolerance tolerance, Func<Device, ApiOutputs> call) => Compare(api, _ => tolerance, call);

    /// <summary>
    /// Compares <paramref name="call"/> on the CPU and on the device; the tolerance may depend on the CPU's results
    /// (host copies), e.g. on a cancellation ratio that only the result shows.
    /// </summary>
    public void Compare(string api, Func<HostResults, Tolerance> tolerance, Func<Device, ApiOutputs> call)
    {
        ComparisonRow row;
        HostResults? reference = null, onDevice = null;
        try
        {
            reference = Evaluate(call, CPU, out _);
            onDevice = Evaluate(call, Device, out var misplaced);
            var bound = tolerance(reference);
            var (error, mismatch) = misplaced is null ? Difference(reference, onDevice) : (double.NaN, misplaced);
            row = new ComparisonRow(api, Name(Device), mismatch is null ? error : null, bound, mismatch);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            row = new ComparisonRow(api, Name(Device), null, Tolerance.Exact("not computed"), $"{e.GetType().Name}: {FirstLine(e.Message)}");
        }
        finally
        {
            foreach (var t in (reference?.Tensors ?? []).Concat(onDevice?.Tensors ?? [])) t.Dispose();
        }
        _rows.Add(row);
        var what = row.MaxRelativeError is { } err ? err.ToString("0.0e+00", System.Globalization.CultureInfo.InvariantCulture) : "—";
        log.WriteLine($"  {(row.Passed ? "ok  " : "FAIL")} {api}: {what} (tolerance {row.Tolerance.Value:0.0e+00}){(row.Failure is { } f ? " — " + f : "")}");
    }

    /// <summary>Host copies of one evaluation's results.</summary>
    /// <param name="Tensors">float64 CPU copies of the result tensors.</param>
    /// <param name="Values">The host numbers.</param>
    public sealed record HostResults(IReadOnlyList<Tensor> Tensors, IReadOnlyList<double> Values)
    {
        /// <summary>max|t| of result tensor <paramref name="index"/>.</summary>
        public double MaxAbs(int index)
        {
            using var magnitudes = Tensors[index].abs();
            using var largest = magnitudes.max();
            return largest.item<double>();
        }
    }

    // Runs the call inside its own dispose scope (everything it made on the device is freed when it returns) and keeps
    // float64 host copies of the results. misplaced names the first result tensor that is not on `target`.
    static HostResults Evaluate(Func<Device, ApiOutputs> call, Device target, out string? misplaced)
    {
        misplaced = null;
        using var scope = NewDisposeScope();
        var outputs = call(target);
        var copies = new List<Tensor>();
        for (var i = 0; i < outputs.Tensors.Count; i++)
        {
            var t = outputs.Tensors[i];
            if (!SameDevice(t.device, target))
            {
                misplaced ??= $"result {i} is on {Name(t.device)}, the inputs on {Name(target)}";
                continue; // the row fails; nothing to compare
            }
            copies.Add(t.detach().to(float64).cpu().clone().MoveToOuterDisposeScope());
        }
        return new HostResults(copies, outputs.Values.ToArray());
    }

    // Largest scaled max error over the tensors, and over the host numbers taken together; or why they cannot be compared.
    static (double Error, string? Mismatch) Difference(HostResults reference, HostResults onDevice)
    {
        if (reference.Tensors.Count != onDevice.Tensors.Count || reference.Values.Count != onDevice.Values.Count)
            return (double.NaN, "the two devices returned different numbers of results");
        double worst = 0;
        for (var i = 0; i < reference.Tensors.Count; i++)
        {
            var (a, b) = (onDevice.Tensors[i], reference.Tensors[i]);
            if (!a.shape.SequenceEqual(b.shape))
                return (double.NaN, $"result {i} has shape [{string.Join(", ", a.shape)}] on the device, [{string.Join(", ", b.shape)}] on the CPU");
            worst = Worst(worst, ErrorCheck.ScaledMaxError(a, b));
        }
        if (reference.Values.Count > 0)
        {
            var scale = reference.Values.Max(Math.Abs);
            var difference = reference.Values.Zip(onDevice.Values, (r, d) => Math.Abs(d - r)).Max();
            worst = Worst(worst, scale > 0 ? difference / scale : difference);
        }
        return (worst, null);
    }

    static double Worst(double a, double b) => double.IsNaN(a) || double.IsNaN(b) ? double.NaN : Math.Max(a, b);

    /// <summary>Whether two devices are the same ("cuda" is "cuda:0").</summary>
    public static bool SameDevice(Device a, Device b) =>
        a.type == b.type && (a.type != DeviceType.CUDA || Math.Max(a.index, 0) == Math.Max(b.index, 0));

    /// <summary>"cpu" or "cuda:N".</summary>
    public static string Name(Device d) => d.type == DeviceType.CUDA ? $"cuda:{Math.Max(d.index, 0)}" : d.type.ToString().ToLowerInvariant();

    static string FirstLine(string message) => message.Split('\n')[0].Trim();
}
