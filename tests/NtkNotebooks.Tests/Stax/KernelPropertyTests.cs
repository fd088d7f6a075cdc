using NtkNotebooks.Stax;
using static NtkNotebooks.Stax.Stax;
using static TorchSharp.torch;
using StaxPadding = NtkNotebooks.Stax.Padding;

namespace NtkNotebooks.Tests.Stax;

/// <summary>Structural truths of kernels: symmetry, positive semi-definiteness, and independence of how they are tiled.</summary>
public class KernelPropertyTests
{
    const double Unit = 1.1102230246251565e-16; // u = 2^-53, the unit round-off of float64

    static Layer Block(int c) =>
        Serial(FanOut(2), Parallel(Serial(Relu(), Conv(c, (3, 3), padding: StaxPadding.Same, sigmaW: 1.4), Relu(), Conv(c, (3, 3), padding: StaxPadding.Same, sigmaW: 1.4)), Identity()), FanInSum());

    public static TheoryData<string> Networks => new() { "gap", "flatten", "pool", "residual" };

    internal static Architecture Network(string name) => name switch
    {
        "gap" => Serial(Conv(8, (3, 3), padding: StaxPadding.Same, sigmaW: 1.5, sigmaB: 0.1), Relu(), Conv(8, (3, 3), sigmaW: 1.5), Erf(), GlobalAvgPool(), Dense(1)).On(2, 6, 6),
        "flatten" => Serial(Conv(8, (3, 3), (2, 2), StaxPadding.Same, 1.5, 0.1), Relu(), Conv(8, (2, 2), sigmaW: 1.5), Relu(), Flatten(), Dense(1, 1.2, 0.1)).On(2, 6, 6),
        "pool" => Serial(Conv(8, (3, 3), sigmaW: 1.5), Relu(), AvgPool((2, 2), (2, 2)), Flatten(), Dense(1)).On(2, 6, 6),
        "residual" => Serial(Conv(8, (3, 3), padding: StaxPadding.Same, sigmaW: 1.5, sigmaB: 0.1), Block(8), Block(8), Relu(), GlobalAvgPool(), Dense(1)).On(2, 6, 6),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Theory]
    [MemberData(nameof(Networks))]
    public void Kernels_AreFiniteSymmetricPositiveSemidefinite(string name)
    {
        // K and Theta are Gram matrices (of the output process, of the Jacobian), so PSD; computed in float64, their
        // eigenvalues may dip below zero by rounding, about N u lambda_max (eigvalsh is backward stable), so the bound
        // is -10 N u lambda_max. x2 = null mirrors one triangle, so the matrices are exactly symmetric. Some inputs
        // repeat (up to scale), which makes the kernels close to singular: the bound is tested where it is tight.
        var x = ConvolutionTests.Images(12, 2, 6, 6, seed: 21);
        x = cat([x, x.narrow(0, 0, 3) * 2.0]);
        var (k, theta) = Network(name).Kernels(x);
        var n = x.shape[0];
        foreach (var m in new[] { k, theta })
        {
            Assert.True(m.isfinite().all().item<bool>());
            Assert.Equal(0.0, (m - m.T).abs().max().item<double>());
            var eig = TestData.Eigenvalues(m);
            Assert.True(eig.Min() >= -10 * n * Unit * eig.Max(), $"{name}: smallest eigenvalue {eig.Min():E3}, largest {eig.Max():E3}");
        }
    }

    [Theory]
    [MemberData(nameof(Networks))]
    public void SameInputs_GiveTheSameNumbersAsTheSymmetricCall(string name)
    {
        // Passing x1 itself as x2 takes the symmetric path: identical numbers. A copy of x1 takes the general path,
        // which computes every pair in its own order: off the diagonal it agrees to round-off (1e-12 relative); on the
        // diagonal a point with itself has a singular 2x2 covariance and ReLU's angle is the square root of its
        // rounded determinant, so that path is only sqrt(u) ~ 1e-8 accurate there (AnalyticKernels has the same edge).
        var architecture = Network(name);
        var x = ConvolutionTests.Images(7, 2, 6, 6, seed: 22);
        var symmetric = architecture.Kernels(x);
        var same = architecture.Kernels(x, x);
        var copy = architecture.Kernels(x, x.clone());
        var offDiagonal = ones(7, 7, dtype: float64) - eye(7, dtype: float64);
        foreach (var (mine, identical, general) in new[] { (symmetric.Nngp, same.Nngp, copy.Nngp), (symmetric.Ntk, same.Ntk, copy.Ntk) })
        {
            Assert.Equal(0.0, (mine - identical).abs().max().item<double>());
            Assert.True(TestData.RelativeError(general * offDiagonal, mine * offDiagonal) < 1e-12);
            Assert.True(TestData.RelativeError(general.diagonal(), mine.diagonal()) < 1e-6);
        }
    }

    [Theory]
    [MemberData(nameof(Networks))]
    public void RowBlocks_DoNotChangeTheNumbers(string name)
    {
        // Every pair is computed by the same elementwise operations whatever tile it falls in, so tiles of 1 or 3
        // rows, or of 3 pairs (several column tiles per row block, diagonal tiles, mirrored tiles), give the same
        // numbers as one tile,
        // up to the last bit of the input moments (a matrix product whose blocking may depend on the tile).
        var architecture = Network(name);
        var x1 = ConvolutionTests.Images(7, 2, 6, 6, seed: 23);
        var x2 = ConvolutionTests.Images(4, 2, 6, 6, seed: 24);
        foreach (var x in new Tensor?[] { null, x2 })
        {
            var whole = architecture.Kernels(x1, x, rowBlock: 100);
            // Row blocks of 1 or 3 rows, then tiles of at most 3 pairs (the budget in entries over the entries per pair).
            foreach (var (rows, entries) in new[] { (1, 0L), (3, 0L), (0, 3L) })
            {
                var tiled = entries == 0
                    ? architecture.Kernels(x1, x, rowBlock: rows)
                    : StaxKernels.Compute(architecture, x1, x, NtkNotebooks.Kernels.GaussianQuadrature.Default, null, entries * architecture.EntriesPerPair);
                Assert.True(TestData.RelativeError(tiled.Nngp, whole.Nngp) <= 4 * Unit, $"rows {rows}, NNGP {TestData.RelativeError(tiled.Nngp, whole.Nngp):E2}");
                Assert.True(TestData.RelativeError(tiled.Ntk, whole.Ntk) <= 4 * Unit, $"rows {rows}, NTK {TestData.RelativeError(tiled.Ntk, whole.Ntk):E2}");
            }
        }
    }
}
