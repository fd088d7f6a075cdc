using NtkNotebooks.Benchmarks.Cases;
using NtkNotebooks.Kernels;
using NtkNotebooks.Models;
using static TorchSharp.torch;

namespace NtkNotebooks.Benchmarks.DeviceCheck;

/// <summary>
/// Empirical kernels (structured and Jacobian NTK, NNGP, their Monte Carlo averages) and the analytic kernels
/// (closed forms and quadrature) on the device against the CPU.
/// </summary>
public static class KernelComparisons
{
    /// <summary>Runs every comparison.</summary>
    public static void Run(DeviceComparer c, CheckInputs inputs)
    {
        var relu = inputs.Relu;
        var classes = new FullyConnectedArchitecture(CheckInputs.InputDim, [64, 64], CheckInputs.Classes, Activation.ReLU,
            BenchmarkInputs.SigmaW, BenchmarkInputs.SigmaB);
        var structured = CheckInputs.StructuredPath(relu);
        var forward = CheckInputs.ForwardPath(relu);
        var backward = CheckInputs.BackwardPath(relu);

        // The structured NTK: a forward and a backward pass, then Gram products of the layer inputs (n_{l-1} terms) and
        // of the cotangents (k n_l terms), accumulated over the layers in float64. The kernel is PSD, so its largest
        // entry is a diagonal one, a sum without cancellation: errors relative to it do not grow.
        c.Compare("EmpiricalNtk.Compute (float64 FC -> structured)", Tolerance.RoundOff(ScalarType.Float64, structured, "passes and Gram products"),
            d => EmpiricalNtk.Compute(NetworkComparisons.Fc(inputs, ScalarType.Float64, d), inputs.XTrain.to(d)));
        // A float32 network's Grams are float32 products; only their sums are float64, so u is float32's.
        c.Compare("StructuredNtk.Compute (float32, Mean, x1 != x2)", Tolerance.RoundOff(ScalarType.Float32, structured, "passes and Gram products"),
            d => StructuredNtk.Compute(NetworkComparisons.Fc(inputs, ScalarType.Float32, d), inputs.XTest.to(d), inputs.XTrain.to(d)));
        c.Compare("StructuredNtk.Compute (float64, Full, k = 3)", Tolerance.RoundOff(ScalarType.Float64, CheckInputs.StructuredPath(classes), "passes and Gram products"),
            d => StructuredNtk.Compute(new FullyConnectedNetwork(classes, seed: 2, device: d), inputs.XTest.to(d), inputs.XTrain.to(d), KernelOutputs.Full));

        // Jacobian rows: a forward and a backward pass per example in float32; the contraction over P parameters is
        // float64 (exact products, P 2^-52 is negligible). A kernel entry is a product of two rows: twice their error.
        c.Compare("JacobianNtk.Compute (float32 FC)", Tolerance.RoundOff(ScalarType.Float32, 2 * (forward + backward), "two Jacobian rows, each a forward and a backward pass"),
            d => JacobianNtk.Compute(NetworkComparisons.Fc(inputs, ScalarType.Float32, d), inputs.XTest.to(d)));
        c.Compare("JacobianNtk.Jacobian (float32 FC)", Tolerance.RoundOff(ScalarType.Float32, forward + backward, "a forward and a backward pass"),
            d => JacobianNtk.Jacobian(NetworkComparisons.Fc(inputs, ScalarType.Float32, d), inputs.XTest.to(d)));
        // A float64 CNN: rows from a forward and a backward pass (weight gradients also sum over the H W positions),
        // contracted over its P parameters in float64.
        var convPath = CheckInputs.ConvolutionPath(NetworkComparisons.Image, NetworkComparisons.Channels);
        var pixels = NetworkComparisons.Image.H * NetworkComparisons.Image.W;
        using var convX = NetworkComparisons.ConvInputs(CheckInputs.TestCount, seed: 22);
        c.Compare("JacobianNtk.Compute (float64 CNN, Full)",
            NetworkComparisons.ConvTolerance(ScalarType.Float64, 2 * (2 * convPath + pixels) + NetworkComparisons.ConvParameterCount(), "two rows (forward, backward, pixel sums), contraction over P"),
            d => JacobianNtk.Compute(NetworkComparisons.Conv(ScalarType.Float64, d), convX.to(d), outputs: KernelOutputs.Full));
        c.Compare("EmpiricalNtk.Compute (float64 CNN -> Jacobian)",
            NetworkComparisons.ConvTolerance(ScalarType.Float64, 2 * (2 * convPath + pixels) + NetworkComparisons.ConvParameterCount(), "two rows (forward, backward, pixel sums), contraction over P"),
            d => EmpiricalNtk.Compute(NetworkComparisons.Conv(ScalarType.Float64, d), convX.to(d)));
        // The Stax CNN's structured NTK: the same passes; per-example filter gradients sum over H W pixels; Gram
        // products over at most P parameters.
        using var staxX = convX.reshape(-1, NetworkComparisons.Image.C, NetworkComparisons.Image.H, NetworkComparisons.Image.W);
        c.Compare("StructuredNtk.Compute (float64 Stax CNN, Full)",
            NetworkComparisons.ConvTolerance(ScalarType.Float64, 2 * (2 * convPath + pixels) + NetworkComparisons.ConvParameterCount(), "two gradients (forward, backward, pixel sums), Gram over P"),
            d => StructuredNtk.Compute(NetworkComparisons.StaxConv(ScalarType.Float64, d), staxX.to(d), outputs: KernelOutputs.Full));

        // NTK-vector product: a VJP on x2 (forward and backward passes, sums over N2) then a JVP on x1 (a forward pass
        // carrying the tangent): the errors of the three passes add, as in the kernel itself.
        c.Compare("NtkVectorProduct.Apply (float64 FC)", Tolerance.RoundOff(ScalarType.Float64, 2 * forward + backward + CheckInputs.TrainCount, "VJP on x2, JVP on x1"),
            d => NtkVectorProduct.Apply(NetworkComparisons.Fc(inputs, ScalarType.Float64, d), inputs.XTest.to(d), ones(CheckInputs.TrainCount, 1, dtype: float64, device: d), inputs.XTrain.to(d)));

        // NNGP from features: the forward pass to the last hidden layer, then a Gram product over its n_L features.
        c.Compare("EmpiricalNngp.FromFeatures (float64)", Tolerance.RoundOff(ScalarType.Float64, forward, "forward pass and feature Gram"),
            d => EmpiricalNngp.FromFeatures(NetworkComparisons.Fc(inputs, ScalarType.Float64, d), inputs.XTest.to(d), inputs.XTrain.to(d)));
        // Monte Carlo averages: each sample's error is that of its forward pass (float32 outputs, products summed in
        // float64 over the samples and k outputs: negligible); an average does not increase a relative error.
        c.Compare("EmpiricalNngp.MonteCarlo (float32, 4 samples)", Tolerance.RoundOff(ScalarType.Float32, 2 * forward, "two forward passes per product"),
            d => EmpiricalNngp.MonteCarlo(seed => new FullyConnectedNetwork(relu, seed, ScalarType.Float32, d), inputs.XTest.to(d), inputs.XTrain.to(d), samples: 4));
        c.Compare("EmpiricalNtk.MonteCarlo (float64, 3 samples)", Tolerance.RoundOff(ScalarType.Float64, structured, "passes and Gram products"),
            d => EmpiricalNtk.MonteCarlo(seed => new FullyConnectedNetwork(relu, seed, ScalarType.Float64, d), inputs.XTest.to(d), inputs.XTrain.to(d), samples: 3));

        Analytic(c, inputs);
    }

    // The recursions start from the input Gram (n_0 terms) and do a fixed number of elementwise operations per layer:
    // 16 for the ReLU and erf closed forms (FlopCount.AnalyticRelu), plus 3 x 32 x 32 quadrature nodes summed per pair
    // for Tanh. CUDA's sqrt is correctly rounded and its atan2, asin, erf, tanh, sin, cos are within 2 ulp (CUDA C
    // Programming Guide, Mathematical Functions); c = 4 covers both devices. The inputs are distinct random images, so
    // no pair sits at the kink of the arc-cosine (x = x' pairs are pinned to the exact diagonal recursion).
    static void Analytic(DeviceComparer c, CheckInputs inputs)
    {
        var depth = inputs.Relu.Depth;
        var closedForm = CheckInputs.InputDim + 16.0 * depth;
        var quadrature = GaussianQuadrature.Default;
        var nodes = 3.0 * quadrature.AngularNodes * quadrature.RadialNodes;
        var byQuadrature = CheckInputs.InputDim + (16.0 + nodes) * depth;
        foreach (var (activation, n, what) in new[]
                 {
                     (Activation.ReLU, closedForm, "input Gram, 16 operations per layer"),
                     (Activation.Erf, closedForm, "input Gram, 16 operations per layer"),
                     (Activation.Tanh, byQuadrature, "input Gram, quadrature sum of 3x32x32 nodes per layer"),
                 })
        {
            var architecture = new FullyConnectedArchitecture(CheckInputs.InputDim, inputs.Relu.HiddenWidths, 1, activation,
                BenchmarkInputs.SigmaW, BenchmarkInputs.SigmaB);
            var tolerance = Tolerance.RoundOff(ScalarType.Float64, n, what);
            c.Compare($"AnalyticKernels.Compute ({activation.Name}, x1 != x2)", tolerance, d =>
            {
                var pair = AnalyticKernels.Compute(architecture, inputs.XTest.to(d), inputs.XTrain.to(d));
                return new[] { pair.Nngp, pair.Ntk };
            });
            c.Compare($"AnalyticKernels.Compute ({activation.Name}, symmetric)", tolerance, d =>
            {
                var pair = AnalyticKernels.Compute(architecture, inputs.XTest.to(d));
                return new[] { pair.Nngp, pair.Ntk };
            });
            c.Compare($"AnalyticKernels.Diagonal ({activation.Name})", tolerance, d =>
            {
                var pair = AnalyticKernels.Diagonal(architecture, inputs.XTrain.to(d));
                return new[] { pair.Nngp, pair.Ntk };
            });
        }
    }
}
