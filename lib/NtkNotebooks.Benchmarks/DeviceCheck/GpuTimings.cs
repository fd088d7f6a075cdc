using System.Text.Json.Nodes;
using NtkNotebooks.Benchmarks.Cases;
using NtkNotebooks.Benchmarks.Harness;
using NtkNotebooks.Benchmarks.Peer;
using NtkNotebooks.Dynamics;
using NtkNotebooks.Kernels;
using NtkNotebooks.Linearization;
using NtkNotebooks.Models;
using NtkNotebooks.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace NtkNotebooks.Benchmarks.DeviceCheck;

/// <summary>
/// The timings on the device: the structured and the general empirical NTK, the analytic NTK, the closed-form
/// prediction, and a training step of a network and of its linearization. The cases with a torch.func counterpart
/// (vmap(jacrev) NTK, SGD steps with jvp) add a task for the peer on the same inputs and weights, which it runs on the
/// same device afterwards; our result is kept on the host for the agreement check.
/// </summary>
public static class GpuTimings
{
    const int InputDim = 784;
    const int Depth = 3;
    const double TrainingRate = 0.1;

    /// <summary>Runs every case; <paramref name="peer"/> is null when the peer does not run.</summary>
    public static List<TimingRow> Run(Device device, DeviceCheckSizes sizes, PeerWorkspace? peer, TextWriter log)
    {
        var rows = new List<TimingRow>();
        void Add(TimingRow row)
        {
            rows.Add(row);
            var what = row.OursTiming is { } t ? $"median {Progress.Seconds(t.MedianSeconds)} (min {Progress.Seconds(t.MinSeconds)}, {t.Repetitions} runs)" : "not run";
            log.WriteLine($"  ours  {row.Case} [{row.Ours}]: {what}{(row.Note is { } n ? "; " + n : "")}");
        }
        // A case that throws (out of device memory, a library error) becomes a row saying so; the others still run.
        void Guarded(string what, Action<Action<TimingRow>> run)
        {
            try
            {
                run(Add);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                Add(new TimingRow { Case = what, Ours = "—", Failed = true, Note = $"failed: {e.GetType().Name}: {e.Message.Split('\n')[0].Trim()}" });
            }
        }
        Guarded("Matmul", add => MatmulRates(device, sizes, add));
        Guarded("Empirical NTK", add => EmpiricalNtk(device, sizes, peer, add));
        Guarded("Analytic NTK", add => AnalyticNtk(device, sizes, add));
        Guarded("Closed-form prediction", add => add(ClosedForm(device, sizes)));
        Guarded("Training steps", add => TrainingSteps(device, sizes, peer, add));
        return rows;
    }

    // Every loop below frees what an iteration put on the device with a dispose scope of its own (TorchSharp frees GPU
    // memory when tensors are disposed, not when they become garbage); rows leave it with host copies only.

    // The dense matmul rate: the device's practical ceiling, for reading the other times.
    static void MatmulRates(Device device, DeviceCheckSizes sizes, Action<TimingRow> add)
    {
        foreach (var dtype in new[] { ScalarType.Float32, ScalarType.Float64 })
        {
            using var iteration = NewDisposeScope();
            var n = sizes.MatmulSize;
            using var generator = new Generator(7);
            var a = randn([n, n], dtype: dtype, generator: generator).to(device);
            var b = randn([n, n], dtype: dtype, generator: generator).to(device);
            var (timing, output) = DeviceClock.Measure(device, () => a.matmul(b), sizes.Policy);
            output?.Dispose();
            add(new TimingRow
            {
                Case = $"Matmul {n}x{n}, {Name(dtype)}", Ours = "Tensor.matmul", OursTiming = timing,
                Note = $"{2.0 * n * n * n / timing.MedianSeconds / 1e9:F0} GFLOP/s",
            });
        }
    }

    static void EmpiricalNtk(Device device, DeviceCheckSizes sizes, PeerWorkspace? peer, Action<TimingRow> add)
    {
        var width = sizes.EmpiricalWidth;
        var architecture = BenchmarkInputs.Relu(InputDim, Depth, width, outputs: 1);
        using var network = new FullyConnectedNetwork(architecture, seed: 1, dtype: ScalarType.Float32, device: device);
        var label = $"FC {InputDim}-{Depth}x{width}-1 ReLU, float32";
        foreach (var count in sizes.StructuredCounts)
        {
            using var iteration = NewDisposeScope();
            var host = BenchmarkInputs.Images(count, InputDim, seed: 2);
            var x = host.to(device);
            var peerId = sizes.PeerCounts.Contains(count) ? AddNtkTask(peer, device, network, host, width) : null;
            var (timing, output) = DeviceClock.Measure(device, () => StructuredNtk.Compute(network, x), sizes.Policy);
            add(new TimingRow
            {
                Case = $"Structured empirical NTK, {label}, N = {count}", Ours = "StructuredNtk.Compute", OursTiming = timing,
                PeerMethod = peerId is null ? null : "vmap(jacrev) + einsum", PeerId = peerId, Output = Keep(output, peerId),
                Tag = $"structured-{count}",
            });
        }
        {
            using var scope = NewDisposeScope();
            var count = sizes.JacobianCount;
            var host = BenchmarkInputs.Images(count, InputDim, seed: 2);
            var x = host.to(device);
            var peerId = AddNtkTask(peer, device, network, host, width);
            var (timing, output) = DeviceClock.Measure(device, () => JacobianNtk.Compute(network, x), sizes.Policy);
            add(new TimingRow
            {
                Case = $"General (Jacobian) empirical NTK, {label}, N = {count}", Ours = "JacobianNtk.Compute", OursTiming = timing,
                PeerMethod = peerId is null ? null : "vmap(jacrev) + einsum", PeerId = peerId, Output = Keep(output, peerId),
                Note = "one backward pass per example and output (TorchSharp has no vmap)", Tag = $"jacobian-{count}",
            });
        }
    }

    // The peer's Jacobian contraction of the same network on the same inputs (one task per N, shared by both methods).
    static string? AddNtkTask(PeerWorkspace? peer, Device device, FullyConnectedNetwork network, Tensor host, int width)
    {
        if (peer is null) return null;
        var count = host.shape[0];
        return peer.Add($"ntk-{width}-{count}", "jacobian_ntk", new JsonObject
        {
            ["x"] = peer.Array($"images-{count}", () => host),
            ["network"] = BenchmarkInputs.DescribeNetwork(peer, $"relu-{width}", network),
            // The peer holds a block of per-example Jacobians [rows, k, P] at a time: all of N = 1024 on a GPU.
            ["block_budget_bytes"] = device.type == DeviceType.CUDA ? 24L << 30 : 1L << 30,
        });
    }

    static void AnalyticNtk(Device device, DeviceCheckSizes sizes, Action<TimingRow> add)
    {
        var architecture = BenchmarkInputs.Relu(InputDim, sizes.AnalyticDepth, width: 1, outputs: 1);
        foreach (var count in sizes.AnalyticCounts)
        {
            using var iteration = NewDisposeScope();
            var x = BenchmarkInputs.Images(count, InputDim, seed: 3).to(float64).to(device);
            var name = $"Analytic NTK, ReLU depth {sizes.AnalyticDepth}, float64, N = {count}";
            var (timing, output) = DeviceClock.Measure(device, () => AnalyticKernels.Compute(architecture, x).Ntk, sizes.Policy);
            output?.Dispose();
            add(new TimingRow
            {
                Case = name, Ours = "AnalyticKernels.Compute", OursTiming = timing, Tag = $"analytic-{count}",
                Note = $"default blocks ({AnalyticKernels.DefaultBlockPairs} pairs, sized for CPU caches)",
            });
            // Larger blocks launch fewer, larger kernels: what a GPU would want (2^27 pairs: 1 GiB per float64 temporary).
            var rows = (int)Math.Max(1, (1L << 27) / count);
            (timing, output) = DeviceClock.Measure(device, () => AnalyticKernels.Compute(architecture, x, rowBlock: rows).Ntk, sizes.Policy);
            output?.Dispose();
            add(new TimingRow
            {
                Case = name, Ours = $"AnalyticKernels.Compute, rowBlock = {rows}", OursTiming = timing, Tag = $"analytic-blocks-{count}",
                Note = "2^27 pairs per block",
            });
        }
    }

    static TimingRow ClosedForm(Device device, DeviceCheckSizes sizes)
    {
        var count = sizes.ClosedFormCount;
        var testCount = count / 4;
        var architecture = BenchmarkInputs.Relu(InputDim, sizes.AnalyticDepth, width: 1, outputs: 1);
        var times = Enumerable.Range(0, sizes.TimePoints).Select(i => Math.Pow(10, 4.0 * i / (sizes.TimePoints - 1))).ToArray();
        using var scope = NewDisposeScope();
        using var generator = new Generator(6);
        var xTrain = BenchmarkInputs.Images(count, InputDim, seed: 4).to(float64).to(device);
        var xTest = BenchmarkInputs.Images(testCount, InputDim, seed: 5).to(float64).to(device);
        var theta = AnalyticKernels.Compute(architecture, xTrain).Ntk;
        var thetaTest = AnalyticKernels.Compute(architecture, xTest, xTrain).Ntk;
        var targets = randn([count, 1], dtype: float64, generator: generator).sign().to(device);
        var f0 = (0.1 * randn([count, 1], dtype: float64, generator: generator)).to(device);
        var f0Test = (0.1 * randn([testCount, 1], dtype: float64, generator: generator)).to(device);
        var (timing, output) = DeviceClock.Measure(device, () =>
        {
            var dynamics = new MseDynamics(theta, targets, 1.0);
            return cat([
                dynamics.TrainOutputs(f0, times).reshape(times.Length, -1),
                dynamics.TestOutputs(thetaTest, f0Test, f0, times).reshape(times.Length, -1),
            ], 1);
        }, sizes.Policy);
        output?.Dispose();
        return new TimingRow
        {
            Case = $"Closed-form prediction (eigh, train and test outputs at {sizes.TimePoints} times), float64, N = {count}, M = {testCount}",
            Ours = "MseDynamics", OursTiming = timing, Tag = $"closed-form-{count}",
        };
    }

    static void TrainingSteps(Device device, DeviceCheckSizes sizes, PeerWorkspace? peer, Action<TimingRow> add)
    {
        var width = sizes.TrainingWidth;
        var count = sizes.TrainingCount;
        var architecture = BenchmarkInputs.Relu(InputDim, Depth, width, outputs: 1);
        using var hostX = BenchmarkInputs.Images(count, InputDim, seed: 7);
        using var generator = new Generator(8);
        using var hostY = randn([count, 1], dtype: float32, generator: generator);
        using var x = hostX.to(device);
        using var y = hostY.to(device);
        var label = $"full-batch SGD step, FC {InputDim}-{Depth}x{width}-1 ReLU, float32, N = {count}";
        foreach (var model in new[] { "network", "linearized" })
        {
            using var iteration = NewDisposeScope();
            INtkNetwork Create()
            {
                var network = new FullyConnectedNetwork(architecture, seed: 1, dtype: ScalarType.Float32, device: device);
                return model == "network" ? network : new LinearizedNetwork(network);
            }
            var peerId = peer is null ? null : BenchmarkInputs.AddTrainingStepTask(peer, architecture, model, hostX, hostY, TrainingRate);

            // Agreement: the outputs after one step from the initialisation.
            Tensor afterOneStep;
            using (var check = NewDisposeScope())
            {
                var checkModel = Create();
                using (var optimizer = optim.SGD(checkModel.parameters(), TrainingRate)) Step(checkModel, optimizer, x, y);
                using (no_grad()) afterOneStep = checkModel.call(x).to(float64).cpu().MoveToOuterDisposeScope();
            }

            var timed = Create();
            using var timedOptimizer = optim.SGD(timed.parameters(), TrainingRate);
            var (timing, _) = DeviceClock.Measure(device, () =>
            {
                Step(timed, timedOptimizer, x, y);
                return null;
            }, sizes.Policy);
            ((IDisposable)timed).Dispose();
            add(new TimingRow
            {
                Case = (model == "network" ? "Network " : "Linearized network ") + label,
                Ours = model == "network" ? "forward, backward, optim.SGD" : "LinearizedNetwork (tangent propagation)",
                OursTiming = timing, PeerMethod = peerId is null ? null : model == "network" ? "torch forward/backward, SGD" : "f_0 + jvp, SGD",
                PeerId = peerId, Output = peerId is null ? null : afterOneStep.MoveToOuterDisposeScope(), Tag = $"training-{model}",
            });
        }
    }

    // What Trainer.Train does per step, without its every-32-steps loss read.
    static void Step(INtkNetwork model, optim.Optimizer optimizer, Tensor x, Tensor y)
    {
        optimizer.zero_grad();
        var loss = Losses.Compute(model.call(x), y, LossKind.Mse, LossReduction.Mean);
        loss.backward();
        optimizer.step();
    }

    // A host float64 copy of the output, out of the iteration's dispose scope, when the peer will be compared with it.
    static Tensor? Keep(Tensor? output, string? peerId)
    {
        if (output is null) return null;
        using (output)
        {
            return peerId is null ? null : output.to(float64).cpu().clone().MoveToOuterDisposeScope();
        }
    }

    static string Name(ScalarType dtype) => dtype == ScalarType.Float32 ? "float32" : "float64";
}
