using System.Text.Json.Nodes;
using NtkNotebooks.Benchmarks.Harness;
using NtkNotebooks.Kernels;
using NtkNotebooks.Models;
using static TorchSharp.torch;

namespace NtkNotebooks.Benchmarks.Cases;

/// <summary>
/// The infinite-width NNGP and NTK of a depth-5 ReLU network (<see cref="AnalyticKernels"/>, float64) on N random
/// images, against the peer's NumPy implementation of the same recursion (arc-cosine closed forms).
/// </summary>
public static class AnalyticNtkCases
{
    /// <summary>Measures every N.</summary>
    public static IEnumerable<CaseResult> Run(BenchmarkContext context)
    {
        var sizes = context.Sizes;
        var architecture = Architecture(sizes);
        foreach (var count in sizes.AnalyticCounts)
        {
            using var x = BenchmarkInputs.Images(count, sizes.InputDim, seed: 3);
            var peerId = context.Peer is { } peer
                ? peer.Add($"analytic-{count}", "analytic_ntk", Arguments(peer.Array($"analytic-images-{count}", () => x), architecture))
                : null;
            var (timing, output) = Stopwatches.Measure(() => AnalyticKernels.Compute(architecture, x).Ntk, sizes.Policy);
            yield return Progress.Report(context.Log, new CaseResult
            {
                Name = $"Analytic NTK, ReLU depth {sizes.AnalyticDepth}, N = {count}",
                Method = "AnalyticKernels / NumPy",
                DType = ScalarType.Float64,
                Ours = timing,
                Flops = FlopCount.AnalyticRelu(sizes.InputDim, sizes.AnalyticDepth, count),
                FlopsAreMatmul = false,
                PeerId = peerId,
                Output = output,
                Tag = $"analytic-{count}",
            });
        }
    }

    /// <summary>The analytic cases' architecture (widths are irrelevant at infinite width).</summary>
    public static FullyConnectedArchitecture Architecture(BenchmarkSizes sizes) =>
        BenchmarkInputs.Relu(sizes.InputDim, sizes.AnalyticDepth, width: 1, outputs: 1);

    /// <summary>The peer's arguments: inputs and the recursion's constants.</summary>
    public static JsonObject Arguments(string inputs, FullyConnectedArchitecture architecture) => new()
    {
        ["x"] = inputs,
        ["depth"] = architecture.Depth,
        ["sigma_w2"] = architecture.WeightVariance,
        ["sigma_b2"] = architecture.BiasVariance,
    };
}
