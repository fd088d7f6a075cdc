using NtkNotebooks.Benchmarks.Harness;
using TorchSharp;
using static TorchSharp.torch;

namespace NtkNotebooks.Benchmarks.Hardware;

/// <summary>
/// The machine's achieved dense matrix-multiply rate with TorchSharp (libtorch) at the configured thread count:
/// the practical ceiling that every other case's achieved rate is compared with.
/// </summary>
public static class MatmulRate
{
    /// <summary>GFLOP/s of an n x n times n x n product (2 n^3 floating-point operations), median of timed runs.</summary>
    public static double Measure(ScalarType dtype, int size, TimingPolicy policy)
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(7);
        var a = randn([size, size], dtype: dtype, generator: generator);
        var b = randn([size, size], dtype: dtype, generator: generator);
        var (timing, output) = Stopwatches.Measure(() => a.matmul(b), policy);
        output?.Dispose();
        return 2.0 * size * size * (double)size / timing.MedianSeconds / 1e9;
    }
}
