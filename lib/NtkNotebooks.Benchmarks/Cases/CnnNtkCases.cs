using System.Text.Json.Nodes;
using NtkNotebooks.Benchmarks.Harness;
using NtkNotebooks.Benchmarks.Peer;
using NtkNotebooks.Kernels;
using NtkNotebooks.Stax;
using TorchSharp;
using static TorchSharp.torch;
using StaxPadding = NtkNotebooks.Stax.Padding;

namespace NtkNotebooks.Benchmarks.Cases;

/// <summary>
/// The empirical NTK of notebook 11's CNN (depth x (3x3 Same convolution with C channels, tanh), global average
/// pooling, a dense readout; NTK parameterization, float32) on N random 14 x 14 images: the structured Stax path
/// (<see cref="StructuredNtk.Compute(StaxNetwork, Tensor, Tensor?, KernelOutputs, long)"/>) and the general path
/// (<see cref="JacobianNtk"/>, skipped where its estimated time is over the limit), both against the peer's
/// vmap(jacrev) Jacobian contraction of the same network with the same weights.
/// </summary>
public static class CnnNtkCases
{
    const int Side = 14;

    /// <summary>Notebook 11's CNN with <paramref name="channels"/> channels.</summary>
    public static Architecture Cnn(int depth, int channels) => Stax.Stax.Serial([
        .. Enumerable.Range(0, depth).SelectMany(_ => new Layer[]
        {
            Stax.Stax.Conv(channels, (3, 3), padding: StaxPadding.Same, sigmaW: BenchmarkInputs.SigmaW, sigmaB: BenchmarkInputs.SigmaB),
            Stax.Stax.Tanh(),
        }),
        Stax.Stax.GlobalAvgPool(), Stax.Stax.Dense(1, sigmaW: BenchmarkInputs.SigmaW, sigmaB: BenchmarkInputs.SigmaB)]).On(1, Side, Side);

    /// <summary>Measures every channel count.</summary>
    public static IEnumerable<CaseResult> Run(BenchmarkContext context)
    {
        var sizes = context.Sizes;
        var count = sizes.CnnCount;
        using var x = BenchmarkInputs.Images(count, Side * Side, seed: 3).reshape(count, 1, Side, Side);
        foreach (var channels in sizes.CnnChannels)
        {
            using var network = Cnn(sizes.CnnDepth, channels).Init(seed: 1, dtype: ScalarType.Float32);
            var name = $"Empirical NTK, CNN {sizes.CnnDepth}x(conv3x3 {channels}, tanh)-GAP-1 on 14x14, N = {count}";
            var peerId = AddPeerTask(context, network, x, channels, count);

            var (timing, output) = Stopwatches.Measure(() => StructuredNtk.Compute(network, x), sizes.Policy);
            yield return Progress.Report(context.Log, new CaseResult
            {
                Name = name, Method = "StructuredNtk (Stax) / vmap(jacrev)", DType = ScalarType.Float32, Ours = timing,
                PeerId = peerId, Output = output, Tag = $"cnn-structured-{channels}-{count}",
                Note = "per-layer factors: one batched forward, one batched backward, per-example filter gradients",
            });

            var estimate = JacobianNtkEstimate.Of(network, x, context.MatmulGflops[ScalarType.Float64]);
            var general = new CaseResult
            {
                Name = name, Method = "JacobianNtk / vmap(jacrev)", DType = ScalarType.Float32, PeerId = peerId,
                Tag = $"cnn-general-{channels}-{count}",
            };
            if (estimate.Seconds > sizes.TimeLimitSeconds)
            {
                yield return Progress.Report(context.Log, general with
                {
                    Note = $"skipped: estimated {Progress.Seconds(estimate.Seconds)} per run > {sizes.TimeLimitSeconds:0} s",
                });
                continue;
            }
            var (generalTiming, generalOutput) = Stopwatches.Measure(() => JacobianNtk.Compute(network, x), sizes.Policy);
            yield return Progress.Report(context.Log, general with
            {
                Ours = generalTiming, Output = generalOutput, Note = "one backward pass per example (TorchSharp has no vmap)",
            });
        }
    }

    static string? AddPeerTask(BenchmarkContext context, StaxNetwork network, Tensor x, int channels, int count)
    {
        if (context.Peer is not { } peer) return null;
        return peer.Add($"cnn-{channels}-{count}", "empirical_ntk", new JsonObject
        {
            ["x"] = peer.Array($"cnn-images-{count}", () => x),
            ["network"] = Describe(peer, $"cnn-{channels}", network),
            ["dtype"] = "float32",
            ["block_budget_bytes"] = EmpiricalNtkCases.PeerBlockBudgetBytes,
        });
    }

    // The same layers for the peer's LayerNetwork (peer/network.py), with this network's parameters.
    static JsonObject Describe(PeerWorkspace peer, string key, StaxNetwork network)
    {
        JsonObject Parametric(string kind, int l) => new()
        {
            ["kind"] = kind,
            ["weight"] = peer.Array($"{key}-W{l + 1}", () => network.Weights[l].detach()),
            ["bias"] = network.Biases[l] is { } b ? peer.Array($"{key}-b{l + 1}", () => b.detach()) : null,
            ["weight_scale"] = network.WeightScales[l],
            ["bias_scale"] = network.BiasScales[l],
            ["stride"] = new JsonArray(1, 1),
            ["padding"] = new JsonArray(1, 1), // 3x3 Same: one pixel on every side
        };
        var depth = network.Weights.Count - 1;
        var layers = new JsonArray();
        for (var l = 0; l < depth; l++)
        {
            layers.Add(Parametric("conv", l));
            layers.Add(new JsonObject { ["kind"] = "tanh" });
        }
        layers.Add(new JsonObject { ["kind"] = "global_avg_pool" });
        layers.Add(Parametric("dense", depth));
        return new JsonObject { ["layers"] = layers, ["outputs"] = network.Outputs };
    }
}
