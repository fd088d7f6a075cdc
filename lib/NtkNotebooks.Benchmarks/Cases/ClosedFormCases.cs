using System.Text.Json.Nodes;
using NtkNotebooks.Benchmarks.Harness;
using NtkNotebooks.Dynamics;
using NtkNotebooks.Kernels;
using TorchSharp;
using static TorchSharp.torch;

namespace NtkNotebooks.Benchmarks.Cases;

/// <summary>
/// Closed-form gradient-flow prediction (Eq 8-11): <c>new MseDynamics(Theta, Y, eta)</c>, one eigendecomposition,
/// then the training outputs and the test outputs (M = N / 4 test points) at 100 log-spaced times, all times at once
/// (one projection, then matrix products), float64, against the peer's numpy.linalg.eigh and the same formulas.
/// The kernels are the analytic ReLU NTK, computed once outside the timed region.
/// </summary>
public static class ClosedFormCases
{
    /// <summary>The learning rate on the mean loss.</summary>
    const double LearningRate = 1.0;

    /// <summary>Measures every N.</summary>
    public static IEnumerable<CaseResult> Run(BenchmarkContext context)
    {
        var sizes = context.Sizes;
        var times = Enumerable.Range(0, sizes.TimePoints).Select(i => Math.Pow(10, 4.0 * i / (sizes.TimePoints - 1))).ToArray();
        foreach (var count in sizes.ClosedFormCounts)
            yield return Progress.Report(context.Log, Measure(context, count, times));
    }

    static CaseResult Measure(BenchmarkContext context, int count, double[] times)
    {
        var sizes = context.Sizes;
        var architecture = AnalyticNtkCases.Architecture(sizes);
        var testCount = count / 4;
        using var scope = NewDisposeScope();
        using var generator = new Generator(6);
        var xTrain = BenchmarkInputs.Images(count, sizes.InputDim, seed: 4);
        var xTest = BenchmarkInputs.Images(testCount, sizes.InputDim, seed: 5);
        var theta = AnalyticKernels.Compute(architecture, xTrain).Ntk;
        var thetaTest = AnalyticKernels.Compute(architecture, xTest, xTrain).Ntk;
        var targets = randn([count, 1], dtype: float64, generator: generator).sign();
        var f0 = 0.1 * randn([count, 1], dtype: float64, generator: generator);
        var f0Test = 0.1 * randn([testCount, 1], dtype: float64, generator: generator);

        string? peerId = null;
        if (context.Peer is { } peer)
        {
            peerId = peer.Add($"closed-form-{count}", "closed_form", new JsonObject
            {
                ["theta"] = peer.Array($"cf-theta-{count}", () => theta),
                ["theta_test"] = peer.Array($"cf-theta-test-{count}", () => thetaTest),
                ["targets"] = peer.Array($"cf-targets-{count}", () => targets),
                ["f0"] = peer.Array($"cf-f0-{count}", () => f0),
                ["f0_test"] = peer.Array($"cf-f0-test-{count}", () => f0Test),
                ["times"] = new JsonArray(times.Select(t => (JsonNode)t).ToArray()),
                ["learning_rate"] = LearningRate,
            });
        }

        var (timing, output) = Stopwatches.Measure(() =>
        {
            var dynamics = new MseDynamics(theta, targets, LearningRate);
            return cat([
                dynamics.TrainOutputs(f0, times).reshape(times.Length, -1),
                dynamics.TestOutputs(thetaTest, f0Test, f0, times).reshape(times.Length, -1),
            ], 1);
        }, sizes.Policy);
        return new CaseResult
        {
            Name = $"Closed-form prediction, N = {count}, M = {testCount}, {sizes.TimePoints} times",
            Method = "MseDynamics (eigh) / numpy.linalg.eigh",
            DType = ScalarType.Float64,
            Ours = timing,
            Flops = FlopCount.ClosedForm(count, testCount, 1, sizes.TimePoints),
            PeerId = peerId,
            Output = output?.MoveToOuterDisposeScope(),
        };
    }
}
