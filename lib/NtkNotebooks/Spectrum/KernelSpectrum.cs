using NtkNotebooks.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace NtkNotebooks.Spectrum;

/// <summary>
/// The eigendecomposition Theta = sum_i lambda_i v_i v_i^T of a kernel on the training set (float64, symmetric solver),
/// and what it says about gradient descent (PAPER.md "Linearization and closed-form dynamics", "Learning rates"):
/// on the linear model, the training residual decays mode by mode,
/// v_i . (f_t - Y) = e^{-eta lambda_i t} v_i . (f_0 - Y), or (1 - eta lambda_i)^t after t discrete steps.
/// Eigenvalues are sorted in descending order. Learning-rate limits are for the total loss; pass the loss convention
/// to get them for the mean loss (multiplied by N k).
/// </summary>
public sealed class KernelSpectrum
{
    /// <summary>
    /// Eigendecomposition of <paramref name="kernel"/> [N, N]; symmetrised first. Always in float64 (eigenvalues of a
    /// near-singular kernel need it), on the kernel's device; <see cref="Values"/> is a host copy of the eigenvalues.
    /// </summary>
    /// <exception cref="ArgumentException">The kernel is not square, not symmetric or not positive semi-definite beyond
    /// round-off (<see cref="RoundOffTolerance"/>), e.g. a test-train kernel passed where a train-train kernel belongs.</exception>
    /// <param name="kernel">The kernel on the training set, [N, N].</param>
    /// <param name="computedIn">The dtype of the arithmetic that produced the kernel, whose round-off the checks allow;
    /// default the kernel's own dtype. An empirical NTK of a float32 network is a float64 tensor that carries float32
    /// round-off (its products are formed in float32): pass <c>ScalarType.Float32</c> for it.</param>
    public KernelSpectrum(Tensor kernel, ScalarType? computedIn = null)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        if (kernel.dim() != 2 || kernel.shape[0] != kernel.shape[1] || kernel.shape[0] == 0)
            throw new ArgumentException($"kernel must be a non-empty square matrix, but has shape {Guard.Shape(kernel)}.", nameof(kernel));
        Guard.CheckFinite(kernel, "the kernel passed to KernelSpectrum");
        using var scope = NewDisposeScope();
        var k = kernel.to(float64);
        var tolerance = RoundOffTolerance(computedIn ?? kernel.dtype, kernel.shape[0]);
        var scale = k.abs().max().item<double>();
        var asymmetry = (k - k.T).abs().max().item<double>();
        if (asymmetry > tolerance * scale)
            throw new ArgumentException(
                $"kernel must be symmetric, but max|K - K^T| = {asymmetry:G3} exceeds {tolerance:G3} max|K| = {tolerance * scale:G3} " +
                "(round-off tolerance 64 N u). Is it a test-train kernel?", nameof(kernel));
        var (values, vectors) = linalg.eigh((k + k.T) / 2);
        Eigenvalues = values.flip(0).MoveToOuterDisposeScope();
        Eigenvectors = vectors.flip(1).MoveToOuterDisposeScope();
        using var onHost = Eigenvalues.cpu();
        Values = onHost.data<double>().ToArray();
        if (Min < -tolerance * Math.Max(Max, scale))
            throw new ArgumentException(
                $"kernel must be positive semi-definite, but its smallest eigenvalue is {Min:G4} (largest {Max:G4}; round-off " +
                $"tolerance 64 N u lambda_max = {tolerance * Math.Max(Max, scale):G3}). Kernels of networks are Gram matrices, which have no negative eigenvalues.", nameof(kernel));
    }

    /// <summary>
    /// The relative round-off a kernel of <paramref name="n"/> points may show: 64 N u, with u the unit round-off of its
    /// dtype (2^-24 for float32, 2^-53 otherwise). Asymmetry above it times max|K|, or eigenvalues below minus it times
    /// lambda_max, are not round-off: such a matrix is refused. (Each entry of a Gram matrix is a sum whose error is
    /// below N u times its terms; eigh adds O(N u lambda_max); 64 leaves a wide margin for both.)
    /// </summary>
    public static double RoundOffTolerance(ScalarType dtype, long n) =>
        64.0 * n * (dtype is ScalarType.Float32 ? Math.ScaleB(1, -24) : dtype is ScalarType.Float16 or ScalarType.BFloat16 ? Math.ScaleB(1, -8) : Math.ScaleB(1, -53));

    /// <summary>lambda_1 &gt;= ... &gt;= lambda_N, float64 [N].</summary>
    public Tensor Eigenvalues { get; }
    /// <summary>Columns v_i, float64 [N, N].</summary>
    public Tensor Eigenvectors { get; }
    /// <summary>The eigenvalues as an array (descending).</summary>
    public IReadOnlyList<double> Values { get; }
    /// <summary>N.</summary>
    public int Count => Values.Count;
    /// <summary>lambda_max.</summary>
    public double Max => Values[0];
    /// <summary>lambda_min (can be ~0 or slightly negative from round-off for a singular kernel).</summary>
    public double Min => Values[^1];
    /// <summary>lambda_max / lambda_min (infinite for a singular kernel).</summary>
    public double ConditionNumber => Min > 0 ? Max / Min : double.PositiveInfinity;

    /// <summary>Projections V^T r of residuals or targets <paramref name="r"/> [N, k] on the eigenvectors: [N, k].</summary>
    public Tensor Project(Tensor r)
    {
        ArgumentNullException.ThrowIfNull(r);
        if (r.dim() != 2 || r.shape[0] != Count)
            throw new ArgumentException($"Expected [{Count}, k], got {Guard.Shape(r)}.", nameof(r));
        Guard.OnDevice(r, Eigenvectors.device, nameof(r), "the eigenvectors");
        return Eigenvectors.T.matmul(r.to(float64));
    }

    /// <summary>
    /// eta_critical = 2 / (lambda_min + lambda_max), the rate minimising max_i |1 - eta lambda_i| (fastest worst mode);
    /// for the total loss, or for the mean loss over <paramref name="targetEntries"/> = N k entries.
    /// </summary>
    public double CriticalLearningRate(LossReduction reduction = LossReduction.Sum, long targetEntries = 1) =>
        ToConvention(2 / (Math.Max(Min, 0) + Max), reduction, targetEntries);

    /// <summary>
    /// The divergence limit of gradient descent on the linear model: 2 / lambda_max, or 2 (1 + beta) / lambda_max with
    /// momentum beta (S1-S4). Above it the top mode grows every step.
    /// </summary>
    public double MaxLearningRate(double momentum = 0, LossReduction reduction = LossReduction.Sum, long targetEntries = 1)
    {
        if (momentum is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "Expected 0 <= momentum < 1.");
        return ToConvention(2 * (1 + momentum) / Max, reduction, targetEntries);
    }

    /// <summary>
    /// Throws when <paramref name="learningRate"/> is at or above <see cref="MaxLearningRate"/>: gradient descent
    /// would diverge. The message gives both numbers.
    /// </summary>
    public void EnsureConverges(double learningRate, double momentum = 0, LossReduction reduction = LossReduction.Sum, long targetEntries = 1)
    {
        Guard.Positive(learningRate, nameof(learningRate));
        var limit = MaxLearningRate(momentum, reduction, targetEntries);
        if (learningRate >= limit)
            throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate,
                $"learningRate {learningRate:G4} is at or above the divergence limit {limit:G4} = 2(1 + {momentum})/lambda_max " +
                $"({reduction} loss; lambda_max = {Max:G4}): gradient descent diverges.");
    }

    /// <summary>
    /// Per-mode residual factor after time <paramref name="t"/>: e^{-eta lambda_i t} (continuous) or (1 - eta lambda_i)^t
    /// (t discrete steps), eta the rate on the total loss. Float64 [N].
    /// </summary>
    public Tensor Decay(double eta, double t, bool discrete)
    {
        Guard.Positive(eta, nameof(eta));
        if (!(t >= 0)) throw new ArgumentOutOfRangeException(nameof(t), t, "Expected t >= 0.");
        if (double.IsPositiveInfinity(t)) return where(Eigenvalues > 0, zeros_like(Eigenvalues), ones_like(Eigenvalues));
        return discrete ? (1 - eta * Eigenvalues).pow(t) : (-eta * t * Eigenvalues).exp();
    }

    static double ToConvention(double totalLossRate, LossReduction reduction, long targetEntries)
    {
        Guard.Positive(targetEntries, nameof(targetEntries));
        return reduction == LossReduction.Sum ? totalLossRate : totalLossRate * targetEntries;
    }
}
