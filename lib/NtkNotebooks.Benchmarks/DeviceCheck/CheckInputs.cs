using NtkNotebooks.Benchmarks.Cases;
using NtkNotebooks.Kernels;
using NtkNotebooks.Models;
using NtkNotebooks.Spectrum;
using TorchSharp;
using static TorchSharp.torch;

namespace NtkNotebooks.Benchmarks.DeviceCheck;

/// <summary>
/// The host inputs every comparison starts from, made once on the CPU from seeds: MNIST-sized random images, targets,
/// initial outputs, and the analytic kernels of a ReLU network on them with their spectra (the dynamics checks take
/// these kernels as given, so that they test the dynamics and not the kernel). Each comparison copies what it needs to
/// the device it runs on. Small sizes: the CPU computes every call once more as the reference.
/// </summary>
public sealed class CheckInputs : IDisposable
{
    /// <summary>Training inputs N.</summary>
    public const int TrainCount = 48;
    /// <summary>Test inputs M.</summary>
    public const int TestCount = 16;
    /// <summary>n_0 (28 x 28 pixels).</summary>
    public const int InputDim = 784;
    /// <summary>Hidden width of the fully connected networks.</summary>
    public const int Width = 128;
    /// <summary>Hidden layers L.</summary>
    public const int Depth = 3;
    /// <summary>Classes of the multi-output checks (full kernels, cross-entropy).</summary>
    public const int Classes = 3;

    readonly List<IDisposable> _owned = [];

    /// <summary>Makes every input from fixed seeds.</summary>
    public CheckInputs()
    {
        XTrain = Own(Float64(BenchmarkInputs.Images(TrainCount, InputDim, seed: 11)));
        XTest = Own(Float64(BenchmarkInputs.Images(TestCount, InputDim, seed: 12)));
        using var generator = new Generator(13);
        YTrain = Own(randn([TrainCount, 1], float64, generator: generator).sign());
        F0Train = Own(0.1 * randn([TrainCount, 1], float64, generator: generator));
        F0Test = Own(0.1 * randn([TestCount, 1], float64, generator: generator));
        using (var labels = randint(0, Classes, [TrainCount], generator: generator))
        using (var oneHot = nn.functional.one_hot(labels, Classes))
            OneHotTrain = Own(oneHot.to(float64));
        F0TrainClasses = Own(0.1 * randn([TrainCount, Classes], float64, generator: generator));
        F0TestClasses = Own(0.1 * randn([TestCount, Classes], float64, generator: generator));

        Relu = BenchmarkInputs.Relu(InputDim, Depth, Width, outputs: 1);
        TrainTrain = OwnPair(AnalyticKernels.Compute(Relu, XTrain));
        TestTrain = OwnPair(AnalyticKernels.Compute(Relu, XTest, XTrain));
        TestTest = OwnPair(AnalyticKernels.Compute(Relu, XTest));
        NtkSpectrum = new KernelSpectrum(TrainTrain.Ntk);
        NngpSpectrum = new KernelSpectrum(TrainTrain.Nngp);
        _owned.Add(NtkSpectrum.Eigenvalues);
        _owned.Add(NtkSpectrum.Eigenvectors);
        _owned.Add(NngpSpectrum.Eigenvalues);
        _owned.Add(NngpSpectrum.Eigenvectors);
    }

    /// <summary>Training images [N, n_0], float64 (pixels in [0, 1), so K^1 is O(1) with sigma_w^2 = 2).</summary>
    public Tensor XTrain { get; }
    /// <summary>Test images [M, n_0], float64.</summary>
    public Tensor XTest { get; }
    /// <summary>+-1 targets [N, 1].</summary>
    public Tensor YTrain { get; }
    /// <summary>f_0(X) [N, 1], small random.</summary>
    public Tensor F0Train { get; }
    /// <summary>f_0(x) [M, 1].</summary>
    public Tensor F0Test { get; }
    /// <summary>One-hot targets [N, 3].</summary>
    public Tensor OneHotTrain { get; }
    /// <summary>f_0(X) [N, 3].</summary>
    public Tensor F0TrainClasses { get; }
    /// <summary>f_0(x) [M, 3].</summary>
    public Tensor F0TestClasses { get; }
    /// <summary>FC 784-3x128-1 ReLU, sigma_w^2 = 2, sigma_b^2 = 0.01 (the benchmark's architecture).</summary>
    public FullyConnectedArchitecture Relu { get; }
    /// <summary>K and Theta on (X, X), computed on the CPU.</summary>
    public KernelPair TrainTrain { get; }
    /// <summary>K and Theta on (x, X).</summary>
    public KernelPair TestTrain { get; }
    /// <summary>K and Theta on (x, x).</summary>
    public KernelPair TestTest { get; }
    /// <summary>Spectrum of Theta(X, X) on the CPU.</summary>
    public KernelSpectrum NtkSpectrum { get; }
    /// <summary>Spectrum of K(X, X) on the CPU.</summary>
    public KernelSpectrum NngpSpectrum { get; }

    /// <summary>lambda_max / lambda_min of Theta(X, X): how much its inverse amplifies a perturbation.</summary>
    public double NtkCondition => NtkSpectrum.Max / NtkSpectrum.Min;
    /// <summary>lambda_max / lambda_min of K(X, X).</summary>
    public double NngpCondition => NngpSpectrum.Max / NngpSpectrum.Min;

    /// <summary>Sum of the fan-ins n_0 + n_1 + ... + n_L of a fully connected network: the reductions along one forward pass.</summary>
    public static double ForwardPath(FullyConnectedArchitecture a) => a.LayerWidths.Take(a.LayerWidths.Count - 1).Sum();

    /// <summary>Sum of the fan-outs n_2 + ... + n_{L+1}: the reductions of one backward pass to the first hidden layer.</summary>
    public static double BackwardPath(FullyConnectedArchitecture a) => a.LayerWidths.Skip(2).Sum();

    /// <summary>
    /// The structured NTK's reductions: one forward and one backward pass, the input Grams (n_{l-1} each) and the
    /// cotangent Grams (k n_l each, l = 1..L).
    /// </summary>
    public static double StructuredPath(FullyConnectedArchitecture a) =>
        2 * ForwardPath(a) + BackwardPath(a) + (double)a.Outputs * a.HiddenWidths.Sum();

    /// <summary>
    /// Reductions of one forward pass of the check's convolutional network: 9 C_in per 3x3 convolution, H W for the
    /// average pooling, C_L for the readout.
    /// </summary>
    public static double ConvolutionPath((int C, int H, int W) image, IReadOnlyList<int> channels)
    {
        double n = 0;
        var cIn = image.C;
        foreach (var c in channels)
        {
            n += 9.0 * cIn;
            cIn = c;
        }
        return n + image.H * image.W + cIn;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var t in _owned) t.Dispose();
    }

    static Tensor Float64(Tensor t)
    {
        var result = t.to(float64);
        t.Dispose();
        return result;
    }

    Tensor Own(Tensor t)
    {
        _owned.Add(t);
        return t;
    }

    KernelPair OwnPair(KernelPair pair)
    {
        _owned.Add(pair.Nngp);
        _owned.Add(pair.Ntk);
        return pair;
    }
}
