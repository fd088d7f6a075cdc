using NtkNotebooks.Benchmarks.Cases;
using NtkNotebooks.Linearization;
using NtkNotebooks.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace NtkNotebooks.Benchmarks.DeviceCheck;

/// <summary>
/// Forward passes, tangents (J v, J^T u) and the linearized network on the device against the CPU. Every network is
/// built from the same seed on each device (the library draws the parameters on the CPU, then moves them).
/// </summary>
public static class NetworkComparisons
{
    /// <summary>The small convolutional network's input: one channel of 8 x 8.</summary>
    public static readonly (int C, int H, int W) Image = (1, 8, 8);
    /// <summary>Its two convolution layers.</summary>
    public static readonly int[] Channels = [8, 8];

    /// <summary>
    /// A for convolutions: cuDNN chooses among algorithms by heuristics, and its Winograd and FFT algorithms multiply
    /// round-off by their transforms, by up to about 100 for 3x3 kernels in float32 (Barabasz et al., "Error analysis and
    /// improving the accuracy of Winograd convolution for deep neural networks", 2020), where the CPU convolves directly.
    /// </summary>
    public const double ConvolutionAlgorithms = 100;

    /// <summary>c n u A for a computation through the convolutional network, A = <see cref="ConvolutionAlgorithms"/>.</summary>
    public static Tolerance ConvTolerance(ScalarType dtype, double n, string what) =>
        Tolerance.RoundOff(dtype, n, what, ConvolutionAlgorithms, "cuDNN may use Winograd or FFT convolutions");

    /// <summary>FC 784-3x128-1 ReLU on the device.</summary>
    public static FullyConnectedNetwork Fc(CheckInputs inputs, ScalarType dtype, Device device) =>
        new(inputs.Relu, seed: 1, dtype: dtype, device: device);

    /// <summary>The convolutional network (Figure S2's kind), 2 outputs, on the device.</summary>
    public static ConvolutionalNetwork Conv(ScalarType dtype, Device device) =>
        new(Image, Channels, outputs: 2, Activation.ReLU, sigmaW: BenchmarkInputs.SigmaW, sigmaB: BenchmarkInputs.SigmaB, seed: 1, dtype: dtype, device: device);

    /// <summary>The same layers built with Stax (3x3 Same convolutions, ReLU, global average pooling, 2 outputs), whose
    /// empirical NTK takes the structured path.</summary>
    public static Stax.StaxNetwork StaxConv(ScalarType dtype, Device device) => Stax.Stax.Serial([
        .. Channels.SelectMany(c => new Stax.Layer[]
        {
            Stax.Stax.Conv(c, (3, 3), padding: Stax.Padding.Same, sigmaW: BenchmarkInputs.SigmaW, sigmaB: BenchmarkInputs.SigmaB), Stax.Stax.Relu(),
        }),
        Stax.Stax.GlobalAvgPool(), Stax.Stax.Dense(2, sigmaW: BenchmarkInputs.SigmaW, sigmaB: BenchmarkInputs.SigmaB)])
        .On(Image.C, Image.H, Image.W).Init(seed: 1, dtype: dtype, device: device);

    /// <summary>[N, 64] random images for the convolutional network.</summary>
    public static Tensor ConvInputs(int count, long seed) =>
        BenchmarkInputs.Images(count, Image.C * Image.H * Image.W, seed).to(float64);

    /// <summary>A seeded random direction in parameter space (one tensor per parameter), on the host.</summary>
    public static Tensor[] Direction(INtkNetwork network, ulong seed)
    {
        using var generator = new Generator(seed);
        return network.parameters().Select(p => randn(p.shape, dtype: p.dtype, generator: generator)).ToArray();
    }

    /// <summary>Runs every comparison.</summary>
    public static void Run(DeviceComparer c, CheckInputs inputs)
    {
        var forward = CheckInputs.ForwardPath(inputs.Relu);
        var backward = CheckInputs.BackwardPath(inputs.Relu);
        var convPath = CheckInputs.ConvolutionPath(Image, Channels);
        using var convX = ConvInputs(CheckInputs.TrainCount, seed: 21);

        // One forward pass: the reductions are the fan-ins along the path; ReLU is 1-Lipschitz and sigma_w^2 = 2 keeps
        // each layer's scale (He), so relative errors add layer by layer and do not grow.
        c.Compare("FullyConnectedNetwork.forward (float64)", Tolerance.RoundOff(ScalarType.Float64, forward, "fan-ins along the forward pass"),
            d => Fc(inputs, ScalarType.Float64, d).call(inputs.XTrain.to(d)));
        c.Compare("FullyConnectedNetwork.forward (float32)", Tolerance.RoundOff(ScalarType.Float32, forward, "fan-ins along the forward pass"),
            d => Fc(inputs, ScalarType.Float32, d).call(inputs.XTrain.to(d)));

        // Convolutions reduce over 9 C_in taps, the pooling over H W pixels, the readout over C_L channels.
        c.Compare("ConvolutionalNetwork.forward (float64)", ConvTolerance(ScalarType.Float64, convPath, "3x3 taps x channels, pooling, readout"),
            d => Conv(ScalarType.Float64, d).call(convX.to(d)));
        // libtorch lets cuDNN run float32 convolutions in TF32 (10-bit mantissa) by default; that is a documented
        // precision trade, not a device error, so the float32 check turns it off to compare the float32 algorithms.
        c.Compare("ConvolutionalNetwork.forward (float32, cuDNN TF32 off)", ConvTolerance(ScalarType.Float32, convPath, "3x3 taps x channels, pooling, readout"),
            d =>
            {
                using var _ = CudnnTf32.Off(d);
                return Conv(ScalarType.Float32, d).call(convX.to(d));
            });

        // J v carries the tangent along the forward pass: dh = a (dx W + x dW) + c db sums two products with the same
        // fan-ins as the forward pass, so twice its reductions.
        c.Compare("Tangents.Jvp (float64, forward mode)", Tolerance.RoundOff(ScalarType.Float64, 2 * forward, "forward pass and tangent pass"),
            d =>
            {
                var net = Fc(inputs, ScalarType.Float64, d);
                return Tangents.Jvp(net, inputs.XTrain.to(d), Direction(net, 31).Select(t => t.to(d)).ToArray());
            });
        c.Compare("Tangents.JvpForwardMode (float32)", Tolerance.RoundOff(ScalarType.Float32, 2 * forward, "forward pass and tangent pass"),
            d =>
            {
                var net = Fc(inputs, ScalarType.Float32, d);
                return Tangents.JvpForwardMode(net, inputs.XTrain.to(d), Direction(net, 31).Select(t => t.to(d)).ToArray());
            });
        // The double-backward JVP runs a forward pass and two backward passes through it; each backward pass reduces
        // over fan-outs (at most the forward pass's fan-ins) plus the sum over the N examples of the parameter
        // gradients, and the dot product with v over all P parameters is in the second pass's graph.
        c.Compare("Tangents.JvpDoubleBackward (float64, FC)",
            Tolerance.RoundOff(ScalarType.Float64, 3 * forward + 2 * CheckInputs.TrainCount + ParameterCount(inputs.Relu),
                "forward and two backward passes, batch sums, v dot over P"),
            d =>
            {
                var net = Fc(inputs, ScalarType.Float64, d);
                return Tangents.JvpDoubleBackward(net, inputs.XTrain.to(d), Direction(net, 31).Select(t => t.to(d)).ToArray());
            });
        c.Compare("Tangents.Jvp (float64, CNN: double backward)",
            ConvTolerance(ScalarType.Float64, 3 * convPath + 2 * CheckInputs.TrainCount * Image.H * Image.W + ConvParameterCount(),
                "forward and two backward passes, batch and pixel sums, v dot over P"),
            d =>
            {
                var net = Conv(ScalarType.Float64, d);
                return Tangents.Jvp(net, convX.to(d), Direction(net, 32).Select(t => t.to(d)).ToArray());
            });

        // J^T u: one backward pass, then each parameter's gradient sums over the N examples.
        c.Compare("Tangents.Vjp (float64)",
            Tolerance.RoundOff(ScalarType.Float64, forward + backward + CheckInputs.TrainCount, "forward, backward, sum over N"),
            d =>
            {
                var net = Fc(inputs, ScalarType.Float64, d);
                using var g = new Generator(33);
                var u = randn([CheckInputs.TrainCount, 1], float64, generator: g);
                return Tangents.Vjp(net, inputs.XTrain.to(d), u.to(d));
            });

        // f_lin = f_0 + J_0 (theta - theta_0): a forward pass of the frozen network carrying the tangent along.
        c.Compare("LinearizedNetwork.forward (float64)", Tolerance.RoundOff(ScalarType.Float64, 2 * forward, "forward pass and tangent pass"),
            d => Linearized(inputs, ScalarType.Float64, d).call(inputs.XTest.to(d)));
        c.Compare("LinearizedNetwork.forward (float32)", Tolerance.RoundOff(ScalarType.Float32, 2 * forward, "forward pass and tangent pass"),
            d => Linearized(inputs, ScalarType.Float32, d).call(inputs.XTest.to(d)));
        // theta - theta_0 after theta = theta_0 + v: two rounded operations per entry (one device may fuse a multiply-add
        // that the other does not), relative to theta - theta_0, which is no smaller than theta by more than a few times.
        c.Compare("LinearizedNetwork.WeightChange",
            Tolerance.RoundOff(ScalarType.Float64, 2, "two rounded operations per entry", amplification: 4, amplifiedBy: "max|theta| / max|theta - theta_0|, theta_0 and v ~ N(0, 1)"),
            d => Linearized(inputs, ScalarType.Float64, d).WeightChange());
    }

    // The linearization of the seed-1 network, moved to theta_0 + v so that J_0 (theta - theta_0) is not zero.
    static LinearizedNetwork Linearized(CheckInputs inputs, ScalarType dtype, Device d)
    {
        var linearized = new LinearizedNetwork(Fc(inputs, dtype, d));
        var direction = Direction(linearized, 34);
        using (no_grad())
        {
            foreach (var (p, v) in linearized.parameters().Zip(direction)) p.add_(v.to(d));
        }
        return linearized;
    }

    /// <summary>P of a fully connected architecture.</summary>
    public static double ParameterCount(FullyConnectedArchitecture a)
    {
        double p = 0;
        for (var l = 1; l < a.LayerWidths.Count; l++) p += (double)a.LayerWidths[l - 1] * a.LayerWidths[l] + (a.UseBias ? a.LayerWidths[l] : 0);
        return p;
    }

    /// <summary>P of the check's convolutional network.</summary>
    public static double ConvParameterCount()
    {
        double p = 0;
        var cIn = Image.C;
        foreach (var c in Channels)
        {
            p += 9.0 * cIn * c + c;
            cIn = c;
        }
        return p + cIn * 2 + 2;
    }
}
