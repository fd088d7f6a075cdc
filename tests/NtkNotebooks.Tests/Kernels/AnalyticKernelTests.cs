using NtkNotebooks.Kernels;
using NtkNotebooks.Models;
using static TorchSharp.torch;

namespace NtkNotebooks.Tests.Kernels;

public class AnalyticKernelTests
{
    [Fact]
    public void OneHiddenReluLayer_OnOrthogonalUnitInputs_MatchesHandDerivation()
    {
        // n0 = 4, sigma_w = 1, no bias. K^1(x,x) = 1/4, K^1(x,x') = 0 for orthogonal unit inputs.
        // Off-diagonal: c = 0, t = pi/2: T = (1/4)/(2 pi), TDot = 1/4, so K = Theta = 1/(8 pi).
        // Diagonal: T = K/2 = 1/8, TDot = 1/2, so K = 1/8 and Theta = 1/8 + (1/2)(1/4) = 1/4.
        var arch = new FullyConnectedArchitecture(4, [1], 1, Activation.ReLU, sigmaW: 1.0, sigmaB: 0.0);
        var x = eye(4, dtype: float64);
        var (k, theta) = AnalyticKernels.Compute(arch, x);
        for (var i = 0; i < 4; i++)
        for (var j = 0; j < 4; j++)
        {
            var expectedK = i == j ? 1.0 / 8 : 1.0 / (8 * Math.PI);
            var expectedTheta = i == j ? 1.0 / 4 : 1.0 / (8 * Math.PI);
            Assert.Equal(expectedK, k[i, j].item<double>(), 1e-14);
            Assert.Equal(expectedTheta, theta[i, j].item<double>(), 1e-14);
        }
    }

    [Fact]
    public void DeepLinearNetwork_HasClosedFormKernels()
    {
        // Identity activation: K^{l+1} = sw2 K^l + sb2 and Theta^{l+1} = K^{l+1} + sw2 Theta^l, starting at K^1.
        var arch = TestData.Fc(5, 1, 3, Activation.Identity, sigmaW: 1.2, sigmaB: 0.5);
        var x = TestData.UnitRows(6, 5);
        var (k, theta) = AnalyticKernels.Compute(arch, x);
        double sw2 = 1.44, sb2 = 0.25;
        var kl = x.matmul(x.T) * (sw2 / 5) + sb2;
        var tl = kl.clone();
        for (var l = 0; l < 3; l++)
        {
            kl = sw2 * kl + sb2;
            tl = kl + sw2 * tl;
        }
        Assert.True(TestData.RelativeError(k, kl) < 1e-14);
        Assert.True(TestData.RelativeError(theta, tl) < 1e-14);
    }

    [Theory]
    [InlineData("ReLU")]
    [InlineData("Erf")]
    public void ClosedForms_AgreeWithQuadratureOfTheSameRecursion(string name)
    {
        var closed = Activation.Parse(name);
        var byQuadrature = Activation.Custom(name + " (quadrature)", closed.Apply, closed.Derivative);
        var x = TestData.UnitRows(12, 7, seed: 3) * 1.7; // variances away from 1 exercise the scaling
        var depth = 4;
        var exact = AnalyticKernels.Compute(TestData.Fc(7, 1, depth, closed, sigmaW: 1.4, sigmaB: 0.2), x);
        var numeric = AnalyticKernels.Compute(TestData.Fc(7, 1, depth, byQuadrature, sigmaW: 1.4, sigmaB: 0.2), x);
        Assert.True(TestData.RelativeError(numeric.Nngp, exact.Nngp) < 1e-8, $"NNGP rel. error {TestData.RelativeError(numeric.Nngp, exact.Nngp):E2}");
        Assert.True(TestData.RelativeError(numeric.Ntk, exact.Ntk) < 1e-8, $"NTK rel. error {TestData.RelativeError(numeric.Ntk, exact.Ntk):E2}");
    }

    [Fact]
    public void Quadrature_MatchesMonteCarloForTanh()
    {
        // No closed form for tanh: check T and TDot against a 4-million-sample Monte Carlo estimate
        // (standard error about sd / 2000 < 5e-4; tolerance 5 standard errors).
        var q = GaussianQuadrature.Default;
        var (k11, k12, k22) = (tensor(1.3, float64), tensor(0.6, float64), tensor(0.9, float64));
        var (t, tDot) = q.Expectations(Activation.Tanh, k11, k12, k22);

        using var g = new TorchSharp.torch.Generator(7);
        var z = randn([4_000_000, 2], dtype: float64, generator: g);
        var cov = tensor(new double[] { 1.3, 0.6, 0.6, 0.9 }, [2, 2], float64);
        var uv = z.matmul(linalg.cholesky(cov).T);
        var (u, v) = (uv[.., 0], uv[.., 1]);
        var mcT = (u.tanh() * v.tanh()).mean().item<double>();
        var mcTDot = ((1 - u.tanh().square()) * (1 - v.tanh().square())).mean().item<double>();
        Assert.Equal(mcT, t.item<double>(), 2.5e-3);
        Assert.Equal(mcTDot, tDot.item<double>(), 2.5e-3);
    }

    [Theory]
    [InlineData("ReLU")]
    [InlineData("Erf")]
    [InlineData("Tanh")]
    public void Diagonal_EqualsDiagonalOfFullKernel(string name)
    {
        // Several row blocks: the diagonal runs through blocks at different column offsets.
        var arch = TestData.Fc(6, 1, 5, Activation.Parse(name), sigmaW: 1.4, sigmaB: 0.1);
        var x = TestData.UnitRows(30, 6) * 1.3;
        var full = AnalyticKernels.Compute(arch, x, rowBlock: 7);
        var diagonal = AnalyticKernels.Diagonal(arch, x);
        Assert.True(TestData.RelativeError(diagonal.Nngp, full.Nngp.diagonal()) < 1e-13);
        Assert.True(TestData.RelativeError(diagonal.Ntk, full.Ntk.diagonal()) < 1e-13);
    }

    [Theory]
    [InlineData("ReLU")]
    [InlineData("Erf")]
    public void SelfPairs_FollowTheScalarRecursionToRounding(string name)
    {
        // For a point with itself (k11 = k12 = k22 = k) the closed forms reduce to scalars: ReLU T = k/2, TDot = 1/2;
        // erf T = (2/pi) asin(2k/(1+2k)), TDot = (4/pi)/sqrt(1+4k). The covariance is exactly singular, and a
        // kinked activation turns a rounding error eps in its determinant into sqrt(eps) ~ 1e-8 in TDot, so the
        // kernel's diagonal must match to rounding, not to 1e-8 (a fused multiply-add in det once broke this).
        var arch = TestData.Fc(6, 1, 5, Activation.Parse(name), sigmaW: 1.4, sigmaB: 0.1);
        var x = rand(200, 6, dtype: float64, generator: new Generator(5)) + 0.1;
        var kernel = AnalyticKernels.Compute(arch, x);
        double sw2 = 1.96, sb2 = 0.01;
        for (var i = 0; i < 200; i++)
        {
            var k = sw2 * x[i].square().sum().item<double>() / 6 + sb2;
            var theta = k;
            for (var l = 0; l < 5; l++)
            {
                var (t, tDot) = name == "ReLU"
                    ? (k / 2, 0.5)
                    : (2 / Math.PI * Math.Asin(2 * k / (1 + 2 * k)), 4 / Math.PI / Math.Sqrt(1 + 4 * k));
                k = sw2 * t + sb2;
                theta = k + sw2 * tDot * theta;
            }
            Assert.Equal(k, kernel.Nngp[i, i].item<double>(), k * 1e-13);
            Assert.Equal(theta, kernel.Ntk[i, i].item<double>(), theta * 1e-13);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(64)]
    public void SymmetricKernel_MirrorsTheUpperTriangle_AndMatchesTheCrossKernel(int rowBlock)
    {
        // x2 = null computes the upper triangle only. Off the diagonal it must equal the general x1-vs-x2 path
        // (which evaluates every pair) to rounding, and be exactly symmetric.
        var arch = TestData.Fc(6, 1, 3, Activation.ReLU, sigmaW: 1.4, sigmaB: 0.1);
        var x = TestData.UnitRows(40, 6, seed: 4);
        var symmetric = AnalyticKernels.Compute(arch, x, rowBlock: rowBlock);
        var cross = AnalyticKernels.Compute(arch, x, x.clone());
        var offDiagonal = ones(40, 40, dtype: float64) - eye(40, dtype: float64);
        foreach (var (mine, general) in new[] { (symmetric.Nngp, cross.Nngp), (symmetric.Ntk, cross.Ntk) })
        {
            Assert.Equal(0.0, (mine - mine.T).abs().max().item<double>());
            Assert.True(TestData.RelativeError(mine * offDiagonal, general * offDiagonal) < 1e-13);
        }
    }

    [Theory]
    [InlineData("ReLU")]
    [InlineData("Erf")]
    [InlineData("Tanh")]
    public void Kernels_AreSymmetricPositiveSemidefinite(string name)
    {
        var arch = TestData.Fc(10, 1, 3, Activation.Parse(name));
        var x = TestData.UnitRows(40, 10, seed: 11);
        var (k, theta) = AnalyticKernels.Compute(arch, x);
        foreach (var m in new[] { k, theta })
        {
            Assert.True(TestData.RelativeError(m, m.T) < 1e-14);
            var eig = TestData.Eigenvalues(m);
            Assert.True(eig.Min() > -1e-12 * eig.Max(), $"smallest eigenvalue {eig.Min():E3} of {name}");
        }
    }

    [Fact]
    public void RowBlocks_DoNotChangeTheResult()
    {
        var arch = TestData.Fc(6, 1, 2, Activation.ReLU);
        var x1 = TestData.UnitRows(9, 6, seed: 2);
        var x2 = TestData.UnitRows(4, 6, seed: 5);
        var whole = AnalyticKernels.Compute(arch, x1, x2);
        var blocked = AnalyticKernels.Compute(arch, x1, x2, rowBlock: 2);
        Assert.Equal(0.0, TestData.RelativeError(blocked.Ntk, whole.Ntk), 15);
    }

    [Fact]
    public void BadInputs_FailWithClearMessages()
    {
        var arch = TestData.Fc(3, 1, 1, Activation.ReLU, sigmaB: 0.0);
        var dim = Assert.Throws<ArgumentException>(() => AnalyticKernels.Compute(arch, ones(2, 4, dtype: float64)));
        Assert.Contains("[N, 3]", dim.Message);
        Assert.Contains("[2, 4]", dim.Message);

        var nan = tensor(new[] { 1.0, double.NaN, 0.0 }, [1, 3], float64);
        Assert.Contains("NaN", Assert.Throws<ArgumentException>(() => AnalyticKernels.Compute(arch, nan)).Message);

        var zero = Assert.Throws<ArgumentException>(() => AnalyticKernels.Compute(arch, zeros(2, 3, dtype: float64)));
        Assert.Contains("zero vector", zero.Message);

        var noDerivative = Activation.Custom("softsign", t => t / (1 + t.abs()));
        var unsupported = Assert.Throws<NotSupportedException>(() => AnalyticKernels.Compute(TestData.Fc(3, 1, 1, noDerivative), ones(2, 3, dtype: float64)));
        Assert.Contains("softsign", unsupported.Message);

        var standard = Assert.Throws<ArgumentException>(() =>
            AnalyticKernels.Compute(arch.WithParameterization(Parameterization.Standard), ones(2, 3, dtype: float64)));
        Assert.Equal("architecture", standard.ParamName);

        Assert.Throws<ArgumentException>(() => AnalyticKernels.Compute(arch, zeros(0, 3, dtype: float64)));
    }
}
