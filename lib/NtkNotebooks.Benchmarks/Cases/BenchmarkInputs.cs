using System.Text.Json.Nodes;
using NtkNotebooks.Benchmarks.Peer;
using NtkNotebooks.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace NtkNotebooks.Benchmarks.Cases;

/// <summary>The inputs every case shares: random MNIST-sized images, the ReLU architectures, and how a network's
/// exact parameters reach the peer.</summary>
public static class BenchmarkInputs
{
    /// <summary>sigma_w^2 = 2 (He), sigma_b^2 = 0.01: every layer has a bias, so the peer's bias path is exercised.</summary>
    public const double SigmaW = 1.4142135623730951, SigmaB = 0.1;

    /// <summary>N random "images": [N, inputDim] float32 pixels uniform in [0, 1), reproducible from the seed.</summary>
    public static Tensor Images(long count, int inputDim, long seed)
    {
        using var generator = new Generator((ulong)seed);
        return rand([count, inputDim], dtype: float32, generator: generator);
    }

    /// <summary>An NTK-parameterized ReLU network with <paramref name="depth"/> hidden layers of <paramref name="width"/>.</summary>
    public static FullyConnectedArchitecture Relu(int inputDim, int depth, int width, int outputs) =>
        new(inputDim, Enumerable.Repeat(width, depth).ToArray(), outputs, Activation.ReLU, SigmaW, SigmaB);

    /// <summary>
    /// The network's parameters for the peer, which computes h^l = a_l x^{l-1} W^l + c_l b^l with them:
    /// the weight and bias files (written once per <paramref name="key"/>) and the scales a_l, c_l.
    /// </summary>
    public static JsonObject DescribeNetwork(PeerWorkspace workspace, string key, FullyConnectedNetwork network)
    {
        var weights = new JsonArray();
        var biases = new JsonArray();
        for (var l = 0; l < network.LayerCount; l++)
        {
            var layer = l;
            weights.Add(workspace.Array($"{key}-W{l + 1}", () => network.Weights[layer].detach()));
            biases.Add(network.Biases[l] is { } b ? workspace.Array($"{key}-b{l + 1}", () => b.detach()) : null);
        }
        return new JsonObject
        {
            ["weights"] = weights,
            ["biases"] = biases,
            ["weight_scales"] = new JsonArray(network.WeightScales.Select(s => (JsonNode)s).ToArray()),
            ["bias_scales"] = new JsonArray(network.BiasScales.Select(s => (JsonNode)s).ToArray()),
            ["activation"] = network.Architecture.Activation.Name,
        };
    }

    /// <summary>
    /// Adds the peer's training_step task (peer/training_step.py; the device check's peer/gpu_tasks.py), once per
    /// <paramref name="model"/> ("network" or "linearized"): one full-batch SGD step of the seed-1 float32 network of
    /// <paramref name="architecture"/>, or of its linearization, on the host tensors <paramref name="x"/> and
    /// <paramref name="y"/>. Returns the task's id.
    /// </summary>
    public static string AddTrainingStepTask(PeerWorkspace peer, FullyConnectedArchitecture architecture, string model,
        Tensor x, Tensor y, double learningRate)
    {
        ArgumentNullException.ThrowIfNull(peer);
        ArgumentNullException.ThrowIfNull(architecture);
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        using var initial = new FullyConnectedNetwork(architecture, seed: 1, dtype: ScalarType.Float32);
        return peer.Add($"training-{model}", "training_step", new JsonObject
        {
            ["model"] = model,
            ["x"] = peer.Array($"training-images-{x.shape[0]}", () => x),
            ["y"] = peer.Array($"training-targets-{y.shape[0]}", () => y),
            ["network"] = DescribeNetwork(peer, $"training-{architecture.HiddenWidths[0]}", initial),
            ["learning_rate"] = learningRate,
        });
    }

    /// <summary>Dtype name as NumPy spells it.</summary>
    public static string NumpyName(ScalarType dtype) => dtype == ScalarType.Float32 ? "float32" : "float64";
}
