using NtkNotebooks.Benchmarks.Harness;
using NtkNotebooks.Kernels;
using NtkNotebooks.Models;
using static TorchSharp.torch;

namespace NtkNotebooks.Benchmarks.Cases;

/// <summary>
/// Scale (--scale): the analytic NTK on N = 20 000 (one run: minutes, two 3.2 GB float64 results) and the structured
/// empirical NTK of a 784-3x1024-1 ReLU network on N = 5 000, with the process's peak resident memory during each
/// (the high-water mark is restarted before the case). Ours only: the peer is not run at these sizes.
/// </summary>
public static class ScaleCases
{
    /// <summary>Measures both cases.</summary>
    public static IEnumerable<CaseResult> Run(BenchmarkContext context)
    {
        yield return Progress.Report(context.Log, Analytic(context));
        yield return Progress.Report(context.Log, Empirical(context));
    }

    static CaseResult Analytic(BenchmarkContext context)
    {
        var sizes = context.Sizes;
        var count = sizes.ScaleAnalyticCount;
        var architecture = AnalyticNtkCases.Architecture(sizes);
        using var x = BenchmarkInputs.Images(count, sizes.InputDim, seed: 9);
        var (timing, peak, before) = WithPeakMemory(() =>
        {
            // One run: a warm-up would double minutes of work for no information at this size.
            var (seconds, output) = Stopwatches.Once(() => AnalyticKernels.Compute(architecture, x).Ntk);
            output?.Dispose();
            return new Timing(seconds, seconds, 1, 0);
        });
        return new CaseResult
        {
            Name = $"Scale: analytic NTK, ReLU depth {sizes.AnalyticDepth}, N = {count}",
            Method = "AnalyticKernels (NNGP and NTK)",
            DType = ScalarType.Float64,
            Ours = timing,
            Flops = FlopCount.AnalyticRelu(sizes.InputDim, sizes.AnalyticDepth, count),
            FlopsAreMatmul = false,
            PeakBytes = peak,
            Note = $"one run, no warm-up; resident before the case {Report.Format.Gibibytes(before)}",
        };
    }

    static CaseResult Empirical(BenchmarkContext context)
    {
        var sizes = context.Sizes;
        var count = sizes.ScaleEmpiricalCount;
        var architecture = BenchmarkInputs.Relu(sizes.InputDim, sizes.NetworkDepth, sizes.ScaleEmpiricalWidth, outputs: 1);
        using var x = BenchmarkInputs.Images(count, sizes.InputDim, seed: 10);
        var (timing, peak, before) = WithPeakMemory(() =>
        {
            using var network = new FullyConnectedNetwork(architecture, seed: 1, dtype: ScalarType.Float32);
            var (result, output) = Stopwatches.Measure(() => StructuredNtk.Compute(network, x), sizes.Policy);
            output?.Dispose();
            return result;
        });
        return new CaseResult
        {
            Name = $"Scale: empirical NTK, FC {sizes.InputDim}-{sizes.NetworkDepth}x{sizes.ScaleEmpiricalWidth}-1 ReLU, N = {count}",
            Method = "StructuredNtk",
            DType = ScalarType.Float32,
            Ours = timing,
            Flops = FlopCount.StructuredNtk(architecture.LayerWidths, count, count, sameInputs: true),
            PeakBytes = peak,
            Note = $"resident before the case {Report.Format.Gibibytes(before)}",
        };
    }

    // Runs the case with the high-water mark restarted first; returns its timing, the peak resident bytes and the
    // resident bytes before it (the process's baseline: runtime, libtorch, earlier cases' allocator caches).
    static (Timing Timing, long Peak, long Before) WithPeakMemory(Func<Timing> run)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var before = PeakMemory.ResidentBytes();
        if (!PeakMemory.Reset())
            Console.Error.WriteLine("  (the peak-memory mark cannot be restarted here: the peak is the whole process's)");
        var timing = run();
        return (timing, PeakMemory.HighWaterMarkBytes(), before);
    }
}
