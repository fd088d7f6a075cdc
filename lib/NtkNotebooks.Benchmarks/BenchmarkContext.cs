using NtkNotebooks.Benchmarks.Peer;
using static TorchSharp.torch;

namespace NtkNotebooks.Benchmarks;

/// <summary>What every case family needs: sizes and policy, the peer's workspace (null without a peer), the
/// measured matmul rates (GFLOP/s by dtype) and a progress log.</summary>
/// <param name="Sizes">Problem sizes and timing policy.</param>
/// <param name="Peer">Where to put the peer's inputs and tasks; null when the peer does not run.</param>
/// <param name="MatmulGflops">Our achieved matmul rate per dtype.</param>
/// <param name="Log">Progress lines (standard error).</param>
public sealed record BenchmarkContext(BenchmarkSizes Sizes, PeerWorkspace? Peer, IReadOnlyDictionary<ScalarType, double> MatmulGflops, TextWriter Log);
