using System.Text.Json.Nodes;
using NtkNotebooks.Benchmarks.Harness;
using NtkNotebooks.Kernels;
using NtkNotebooks.Models;
using static TorchSharp.torch;

namespace NtkNotebooks.Benchmarks.Cases;

/// <summary>
/// The empirical NTK of 784-w-w-w-1 ReLU networks on N random images, float32 like the peer: the structured method
/// (<see cref="StructuredNtk"/>) and the general one (<see cref="JacobianNtk"/>, skipped where its estimated time is
/// over the limit), both against the peer's vmap(jacrev) Jacobian contraction on identical weights.
/// </summary>
public static class EmpiricalNtkCases
{
    /// <summary>Block budget of the peer's Jacobians (two blocks are alive at once).</summary>
    public const long PeerBlockBudgetBytes = 3L << 30;

    /// <summary>Measures every (width, N) case.</summary>
    public static IEnumerable<CaseResult> Run(BenchmarkContext context)
    {
        var sizes = context.Sizes;
        foreach (var width in sizes.EmpiricalWidths)
        {
            var architecture = BenchmarkInputs.Relu(sizes.InputDim, sizes.NetworkDepth, width, outputs: 1);
            using var network = new FullyConnectedNetwork(architecture, seed: 1, dtype: ScalarType.Float32);
            foreach (var count in sizes.EmpiricalCounts)
            {
                using var x = BenchmarkInputs.Images(count, sizes.InputDim, seed: 2);
                var name = $"Empirical NTK, FC {sizes.InputDim}-{sizes.NetworkDepth}x{width}-1 ReLU, N = {count}";
                var peerId = AddPeerTask(context, network, x, width, count);
                var widths = architecture.LayerWidths;

                var (timing, output) = Stopwatches.Measure(() => StructuredNtk.Compute(network, x), sizes.Policy);
                yield return Progress.Report(context.Log, new CaseResult
                {
                    Name = name, Method = "StructuredNtk / vmap(jacrev)", DType = ScalarType.Float32, Ours = timing,
                    Flops = FlopCount.StructuredNtk(widths, count, count, sameInputs: true), PeerId = peerId, Output = output,
                    Tag = $"structured-{width}-{count}",
                });

                if ((width, count) == sizes.EmpiricalFloat64Case)
                    yield return Progress.Report(context.Log, Float64Structured(context, network, x, name, peerId));

                yield return Progress.Report(context.Log, General(context, network, x, name, peerId));
            }
        }
    }

    static string? AddPeerTask(BenchmarkContext context, FullyConnectedNetwork network, Tensor x, int width, int count)
    {
        if (context.Peer is not { } peer) return null;
        return peer.Add($"empirical-{width}-{count}", "empirical_ntk", new JsonObject
        {
            ["x"] = peer.Array($"images-{count}", () => x),
            ["network"] = BenchmarkInputs.DescribeNetwork(peer, $"relu-{width}", network),
            ["dtype"] = "float32",
            ["block_budget_bytes"] = PeerBlockBudgetBytes,
        });
    }

    // The library's default dtype: a float64 copy of the same network (same weights), against the float32 peer's kernel.
    static CaseResult Float64Structured(BenchmarkContext context, FullyConnectedNetwork network, Tensor x, string name, string? peerId)
    {
        using var network64 = new FullyConnectedNetwork(network.Architecture, seed: 1, dtype: ScalarType.Float64);
        using (no_grad())
        {
            foreach (var (target, source) in network64.parameters().Zip(network.parameters())) target.copy_(source);
        }
        var (timing, output) = Stopwatches.Measure(() => StructuredNtk.Compute(network64, x), context.Sizes.Policy);
        var count = x.shape[0];
        return new CaseResult
        {
            Name = name, Method = "StructuredNtk / vmap(jacrev) float32", DType = ScalarType.Float64, Ours = timing,
            Flops = FlopCount.StructuredNtk(network.Architecture.LayerWidths, count, count, sameInputs: true),
            PeerId = peerId, SameDTypeAsPeer = false, Output = output,
            Note = "float64 network with the float32 weights; error vs the float32 peer",
        };
    }

    static CaseResult General(BenchmarkContext context, FullyConnectedNetwork network, Tensor x, string name, string? peerId)
    {
        var count = x.shape[0];
        var parameters = network.parameters().Sum(p => p.numel());
        var estimate = JacobianNtkEstimate.Of(network, x, context.MatmulGflops[ScalarType.Float64]);
        var flops = FlopCount.JacobianNtk(network.Architecture.LayerWidths, parameters, estimate.JacobianRows, estimate.ContractedPairs);
        var result = new CaseResult
        {
            Name = name, Method = "JacobianNtk / vmap(jacrev)", DType = network.DType, Flops = flops, PeerId = peerId,
            PeakDType = ScalarType.Float64, // the library contracts the Jacobian rows in float64
        };
        if (estimate.Seconds > context.Sizes.TimeLimitSeconds)
            return result with { Note = $"skipped: estimated {Progress.Seconds(estimate.Seconds)} per run > {context.Sizes.TimeLimitSeconds:0} s" };
        var (timing, output) = Stopwatches.Measure(() => JacobianNtk.Compute(network, x), context.Sizes.Policy);
        var rows = JacobianNtk.RowsPerBlock(network);
        var blocks = (count + rows - 1) / rows;
        return result with { Ours = timing, Output = output, Note = $"rows contracted in float64; default 1 GiB budget: {blocks} row blocks, the peer holds all of J" };
    }
}
