using MathNet.Numerics;
using NtkNotebooks.Kernels;
using NtkNotebooks.Stax;
using Xunit.Abstractions;
using static NtkNotebooks.Stax.Stax;
using static TorchSharp.torch;
using StaxPadding = NtkNotebooks.Stax.Padding;

namespace NtkNotebooks.Tests.Stax;

/// <summary>
/// Finite networks drawn by Init approach the analytic kernels as they widen (Novak et al. 2019; Arora et al. 2019;
/// PAPER.md Figures S9/S10): the empirical NNGP and NTK of one network differ from the analytic K and Theta by
/// O(n^{-1/2}) fluctuations plus an O(1/n) bias, and their Monte Carlo average over M seeds by O((M n)^{-1/2}) plus the
/// bias. So the error falls like n^{-1/2}, a log-log slope of -1/2, which a wrong kernel (an error that does not
/// vanish, slope 0) or a pure bias (slope -1) fails; and the average is much closer than one network.
/// </summary>
public class MonteCarloTests(ITestOutputHelper output)
{
    static readonly int[] Widths = [16, 64, 256];
    // Seeds per width. One network's error is the norm of a random matrix whose entries move together (its
    // fluctuation is mostly one or two collective modes, e.g. an overall scale), so it is close to |g| for one Gaussian
    // g: a relative spread near sqrt(pi/2 - 1) = 0.76, which takes a few dozen networks per width to average down.
    const int Seeds = 32;

    static Layer Block(int n) =>
        Serial(FanOut(2), Parallel(Serial(Relu(), Conv(n, (3, 3), padding: StaxPadding.Same, sigmaW: 1.4), Relu(), Conv(n, (3, 3), padding: StaxPadding.Same, sigmaW: 1.4)), Identity()), FanInSum());

    // n: channels; k: outputs.
    static Architecture Network(string name, int n, int k) => (name switch
    {
        "gap" => Serial(Conv(n, (3, 3), padding: StaxPadding.Same, sigmaW: 1.5, sigmaB: 0.1), Relu(), Conv(n, (3, 3), padding: StaxPadding.Same, sigmaW: 1.5), Relu(), GlobalAvgPool(), Dense(k, 1.5, 0.1)),
        "flatten" => Serial(Conv(n, (3, 3), (2, 2), StaxPadding.Same, 1.5, 0.1), Relu(), Conv(n, (2, 2), padding: StaxPadding.Same, sigmaW: 1.5), Erf(), Flatten(), Dense(k, 1.3, 0.1)),
        "pool" => Serial(Conv(n, (3, 3), padding: StaxPadding.Same, sigmaW: 1.5, sigmaB: 0.1), Relu(), AvgPool((2, 2)), Conv(n, (2, 2), sigmaW: 1.5), Relu(), Flatten(), Dense(k, 1.5)),
        "residual" => Serial(Conv(n, (3, 3), padding: StaxPadding.Same, sigmaW: 1.5, sigmaB: 0.1), Block(n), GlobalAvgPool(), Dense(k, 1.2, 0.1)),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    }).On(2, 3, 3);

    public static TheoryData<string> Networks => new() { "gap", "flatten", "pool", "residual" };

    static Tensor Inputs() => ConvolutionTests.Images(4, 2, 3, 3, seed: 31);

    [Theory]
    [MemberData(nameof(Networks))]
    public void EmpiricalNtk_ApproachesTheAnalyticNtk_AtRateOneOverSqrtChannels(string name)
    {
        // One output (k = 1); EmpiricalNtk goes through JacobianNtk for these networks.
        var x = Inputs();
        var exact = Network(name, 1, 1).Kernels(x).Ntk;
        var errors = Errors(n => Network(name, n, 1), (architecture, seed) =>
            EmpiricalNtk.MonteCarlo(s => architecture.Init(s), x, samples: 1, seed0: seed), exact, $"{name} NTK");
        AssertRate(errors, $"{name} NTK");
    }

    [Theory]
    [MemberData(nameof(Networks))]
    public void EmpiricalNngp_ApproachesTheAnalyticNngp_AtRateOneOverSqrtChannels(string name)
    {
        // The output covariance of each network averaged over its k = n outputs (i.i.d. given the last hidden layer):
        // the readout's and the hidden layers' fluctuations are both O(n^{-1/2}). With Flatten the readout's fan-in is
        // n H W, which is the convention checked here.
        var x = Inputs();
        var exact = Network(name, 1, 1).Kernels(x).Nngp;
        var errors = Errors(n => Network(name, n, n), (architecture, seed) =>
            EmpiricalNngp.MonteCarlo(s => architecture.Init(s), x, samples: 1, seed0: seed), exact, $"{name} NNGP");
        AssertRate(errors, $"{name} NNGP");
    }

    // errors[width][seed] of single networks (MonteCarlo with one sample each). At every width the Monte Carlo average
    // over all M = 32 seeds must be at least twice closer than the typical network: without bias it would be
    // sqrt(M) = 5.7 times closer, so the analytic kernel is the mean of the empirical ones (the factor 2 leaves room for
    // the O(1/n) bias, largest at n = 16, and for the average's own spread).
    double[][] Errors(Func<int, Architecture> network, Func<Architecture, long, Tensor> estimate, Tensor exact, string what) =>
        Widths.Select(n =>
        {
            var architecture = network(n);
            var sum = zeros_like(exact);
            var errors = Enumerable.Range(0, Seeds).Select(s =>
            {
                using var kernel = estimate(architecture, 1000L * n + s);
                sum.add_(kernel);
                return RelativeFrobenius(kernel, exact);
            }).ToArray();
            var average = RelativeFrobenius(sum / Seeds, exact);
            output.WriteLine($"{what}: n = {n}, error of one network {errors.Average():E2}, of the average over {Seeds} {average:E2}");
            Assert.True(average < errors.Average() / 2, $"{what}: at n = {n} the average over {Seeds} seeds is off by {average:E2}, one network by {errors.Average():E2}");
            return errors;
        }).ToArray();

    static double RelativeFrobenius(Tensor estimate, Tensor exact) => (estimate - exact).norm().item<double>() / exact.norm().item<double>();

    // errors[width][seed]. The slope of log(mean error) against log n must be -1/2 within a band derived from the
    // seeds' spread: the relative standard deviation of one network's error (pooled over widths, where it is the same
    // law) gives the standard error of each log mean, s / sqrt(M), and the slope's standard error is that over
    // sqrt(sum (log n - mean log n)^2). Band: 4 standard errors, plus 0.1 for the O(1/n) bias, which steepens the
    // slope at the smallest width. The band must exclude 0 and -1, or the test could not tell.
    void AssertRate(double[][] errors, string what)
    {
        var logN = Widths.Select(n => Math.Log(n)).ToArray();
        var means = errors.Select(e => e.Average()).ToArray();
        var (_, slope) = Fit.Line(logN, means.Select(m => Math.Log(m)).ToArray());
        var relativeVariance = errors.Select(e =>
        {
            var mean = e.Average();
            return e.Sum(v => (v - mean) * (v - mean)) / (e.Length - 1) / (mean * mean);
        }).Average();
        var seLog = Math.Sqrt(relativeVariance / Seeds);
        var meanLog = logN.Average();
        var seSlope = seLog / Math.Sqrt(logN.Sum(v => (v - meanLog) * (v - meanLog)));
        var band = 4 * seSlope + 0.1;
        output.WriteLine($"{what}: widths {string.Join(", ", Widths)}, mean relative error {string.Join(", ", means.Select(e => e.ToString("E2")))}, " +
            $"slope {slope:F3} +- {band:F3} (standard error {seSlope:F3})");
        Assert.True(band < 0.45, $"{what}: the seeds' spread gives a band of +-{band:F2} around -1/2, too wide to exclude 0 and -1");
        Assert.InRange(slope, -0.5 - band, -0.5 + band);
    }
}
