using NtkNotebooks.Linearization;
using NtkNotebooks.Models;
using NtkNotebooks.Spectrum;
using NtkNotebooks.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace NtkNotebooks.Dynamics;

/// <summary>
/// Closed-form gradient descent on the MSE loss for the linearized network (Eq 8-11), from one eigendecomposition
/// of Theta = Theta_hat_0(X, X) reused for every t. With eta the rate on the total loss (converted from the loss
/// convention) and g_t(lambda) = (1 - e^{-eta lambda t}) / lambda (gradient flow) or (1 - (1 - eta lambda)^t) / lambda
/// (t discrete steps):
/// <code>
/// train:   f_t(X) = Y + e^{-eta Theta t} (f_0(X) - Y)                                  (Eq 8)
/// test:    f_t(x) = f_0(x) + Theta(x, X) g_t(Theta) (Y - f_0(X))                      (Eq 10-11: mu_t + gamma_t)
/// weights: omega_t = theta_t - theta_0 = -J_0(X)^T g_t(Theta) (f_0(X) - Y)             (Eq 9)
/// </code>
/// Time is measured in steps: t steps of rate eta correspond to gradient-flow time t.
/// The kernel is either scalar [N, N], applied to each of the k outputs (exact for the analytic kernels, which are
/// Theta (x) I_k), or the full empirical kernel [N, N, k, k] (<see cref="Kernels.KernelOutputs.Full"/>), which a
/// finite network with k &gt; 1 outputs needs for exact dynamics (its output blocks are coupled).
/// </summary>
/// <remarks>
/// Numerics. g_t is evaluated with expm1 and has the finite limit eta t at lambda = 0, so finite t never divides by
/// zero. Eigenvalues below zero (round-off on singular kernels) are clamped to 0. At t = infinity, modes with
/// lambda &lt;= <see cref="RelativeCutoff"/> lambda_max are treated as exact zeros (Moore-Penrose pseudo-inverse: those
/// modes keep their initial residual). An optional ridge adds delta I to Theta before the decomposition (Tikhonov,
/// like neural-tangents' diag_reg).
/// Devices and precision: everything is float64 (kernels are converted; eigendecompositions and the pseudo-inverse
/// need it) on the kernel's device; targets, outputs and test kernels must be on that device too.
/// </remarks>
public sealed class MseDynamics
{
    /// <summary>Relative eigenvalue cutoff of the pseudo-inverse at t = infinity.</summary>
    public const double RelativeCutoff = 1e-12;

    /// <param name="trainKernel">Theta(X, X): [N, N], or [N, N, k, k] with full output blocks.</param>
    /// <param name="trainTargets">Y [N, k].</param>
    /// <param name="learningRate">eta under <paramref name="reduction"/>.</param>
    /// <param name="reduction">Loss convention of <paramref name="learningRate"/> (default: mean over the N k entries).</param>
    /// <param name="ridge">delta &gt;= 0 added to the diagonal of Theta.</param>
    public MseDynamics(Tensor trainKernel, Tensor trainTargets, double learningRate, LossReduction reduction = LossReduction.Mean, double ridge = 0)
    {
        ArgumentNullException.ThrowIfNull(trainKernel);
        ArgumentNullException.ThrowIfNull(trainTargets);
        Guard.Positive(learningRate, nameof(learningRate));
        Guard.NonNegative(ridge, nameof(ridge));
        if (trainTargets.dim() != 2 || trainTargets.shape[0] != trainKernel.shape[0])
            throw new ArgumentException($"trainTargets must be [{trainKernel.shape[0]}, k] to match the kernel, but has shape {Guard.Shape(trainTargets)}.", nameof(trainTargets));
        Guard.SameDevice((trainKernel, nameof(trainKernel)), (trainTargets, nameof(trainTargets)));
        Guard.CheckFinite(trainTargets, "trainTargets");
        Outputs = trainTargets.shape[1];
        FullBlocks = trainKernel.dim() == 4;
        if (FullBlocks && (trainKernel.shape[2] != Outputs || trainKernel.shape[3] != Outputs || trainKernel.shape[1] != trainKernel.shape[0]))
            throw new ArgumentException($"A full kernel must be [N, N, {Outputs}, {Outputs}] for {Outputs} outputs, but has shape {Guard.Shape(trainKernel)}.", nameof(trainKernel));
        if (!FullBlocks && trainKernel.dim() != 2)
            throw new ArgumentException($"trainKernel must be [N, N] or [N, N, k, k], but has shape {Guard.Shape(trainKernel)}.", nameof(trainKernel));
        var kernel = Flatten(trainKernel.to(float64));
        Spectrum = new KernelSpectrum(ridge > 0 ? kernel + ridge * eye(kernel.shape[0], dtype: float64, device: kernel.device) : kernel);
        Targets = trainTargets.to(float64);
        _targets = Stack(Targets);
        Reduction = reduction;
        LearningRate = learningRate;
        Eta = reduction.EffectiveRate(learningRate, trainTargets.numel());
    }

    readonly Tensor _targets;

    /// <summary>k.</summary>
    public long Outputs { get; }
    /// <summary>Whether the kernel has full k x k output blocks (then the spectrum is of the [N k, N k] matrix).</summary>
    public bool FullBlocks { get; }

    /// <summary>The eigendecomposition of Theta (plus ridge).</summary>
    public KernelSpectrum Spectrum { get; }
    /// <summary>Y [N, k], float64.</summary>
    public Tensor Targets { get; }
    /// <summary>The learning rate as given.</summary>
    public double LearningRate { get; }
    /// <summary>The loss convention of <see cref="LearningRate"/>.</summary>
    public LossReduction Reduction { get; }
    /// <summary>The equivalent rate on the total loss.</summary>
    public double Eta { get; }

    /// <summary>f_t(X) on the training inputs [N, k] (Eq 8). t = 0 returns f_0; t = infinity returns Y on the kernel's range.</summary>
    public Tensor TrainOutputs(Tensor f0Train, double t, bool discrete = false) => TrainOutputs(f0Train, [t], discrete)[0];

    /// <summary>
    /// f_t(X) at every time of <paramref name="times"/>: [T, N, k]. One projection and one matrix product serve all
    /// times, where T separate calls would read the N x N eigenvectors 2T times.
    /// </summary>
    public Tensor TrainOutputs(Tensor f0Train, IReadOnlyList<double> times, bool discrete = false)
    {
        var f0 = CheckOutputs(f0Train, Targets.shape[0], nameof(f0Train));
        var decay = PerTime(times, t => DecayFactor(t, discrete));
        return CheckResult(Targets + Propagate(Stack(f0) - _targets, decay).permute(1, 0, 2).reshape(decay.shape[0], Targets.shape[0], Outputs),
            "MseDynamics.TrainOutputs", discrete);
    }

    /// <summary>f_t(x) on test inputs [M, k] (Eq 10-11), from Theta(x, X) [M, N], f_0(x) [M, k] and f_0(X) [N, k].</summary>
    public Tensor TestOutputs(Tensor testTrainKernel, Tensor f0Test, Tensor f0Train, double t, bool discrete = false) =>
        TestOutputs(testTrainKernel, f0Test, f0Train, [t], discrete)[0];

    /// <summary>f_t(x) at every time of <paramref name="times"/>: [T, M, k], with one projection for all times.</summary>
    public Tensor TestOutputs(Tensor testTrainKernel, Tensor f0Test, Tensor f0Train, IReadOnlyList<double> times, bool discrete = false)
    {
        var f0x = CheckOutputs(f0Test, testTrainKernel.shape[0], nameof(f0Test));
        var f0 = CheckOutputs(f0Train, Targets.shape[0], nameof(f0Train));
        return CheckResult(f0x + TestMap(testTrainKernel, Targets - f0, times, discrete), "MseDynamics.TestOutputs", discrete);
    }

    /// <summary>Theta(x, X) g_t(Theta) r for each t [T, M, k]: how training-set values r [N, k] propagate to test points.</summary>
    internal Tensor TestMap(Tensor testTrainKernel, Tensor r, IReadOnlyList<double> times, bool discrete)
    {
        ArgumentNullException.ThrowIfNull(testTrainKernel);
        var n = Targets.shape[0];
        var expected = FullBlocks ? $"[M, {n}, {Outputs}, {Outputs}]" : $"[M, {n}]";
        if (testTrainKernel.dim() != (FullBlocks ? 4 : 2) || testTrainKernel.shape[1] != n
            || (FullBlocks && (testTrainKernel.shape[2] != Outputs || testTrainKernel.shape[3] != Outputs)))
            throw new ArgumentException($"testTrainKernel must be {expected} like the training kernel, but has shape {Guard.Shape(testTrainKernel)}.", nameof(testTrainKernel));
        Guard.OnDevice(testTrainKernel, Targets.device, nameof(testTrainKernel), "the training targets and kernel");
        var g = PerTime(times, t => G(t, discrete));
        var propagated = Propagate(Stack(r), g); // [n', T, c]
        var (count, columns) = (g.shape[0], propagated.shape[2]);
        return Flatten(testTrainKernel.to(float64)).matmul(propagated.reshape(propagated.shape[0], count * columns))
            .reshape(-1, count, columns).permute(1, 0, 2).reshape(count, testTrainKernel.shape[0], Outputs);
    }

    /// <summary>
    /// omega_t = theta_t - theta_0 of the linearized <paramref name="network"/> (Eq 9), as one tensor per parameter,
    /// by a single VJP J_0(X)^T c: the Jacobian is never formed.
    /// </summary>
    public Tensor[] WeightChange(INtkNetwork network, Tensor xTrain, Tensor f0Train, double t, bool discrete = false)
    {
        var f0 = CheckOutputs(f0Train, Targets.shape[0], nameof(f0Train));
        var coefficients = CheckResult(-Unstack(ApplyG(Stack(f0 - Targets), t, discrete)), "MseDynamics.WeightChange", discrete);
        return Tangents.Vjp(network, xTrain, coefficients);
    }

    /// <summary>The training loss (under <see cref="Reduction"/>) at time t.</summary>
    public double TrainLoss(Tensor f0Train, double t, bool discrete = false)
    {
        using var f = TrainOutputs(f0Train, t, discrete);
        using var loss = Losses.Compute(f, Targets, LossKind.Mse, Reduction);
        return loss.item<double>();
    }

    // In full-block mode the unknowns are the N k entries (i, a) -> row i k + a of one column; otherwise the k
    // outputs are k independent columns sharing the [N, N] kernel.
    Tensor Flatten(Tensor kernel) => kernel.dim() == 4
        ? kernel.permute(0, 2, 1, 3).reshape(kernel.shape[0] * kernel.shape[2], kernel.shape[1] * kernel.shape[3])
        : kernel;

    internal Tensor Stack(Tensor outputs) => FullBlocks ? outputs.reshape(-1, 1) : outputs;

    internal Tensor Unstack(Tensor stacked, long? rows = null) => FullBlocks ? stacked.reshape(rows ?? Targets.shape[0], Outputs) : stacked;

    /// <summary>g_t(Theta) r: V diag(g_t(lambda)) V^T r.</summary>
    internal Tensor ApplyG(Tensor r, double t, bool discrete) => ApplySpectral(r, G(t, discrete));

    /// <summary>V diag(factor) V^T r for one per-mode factor [n'] and r [n', c].</summary>
    internal Tensor ApplySpectral(Tensor r, Tensor factor) => Propagate(r, factor.unsqueeze(0)).squeeze(1);

    // V diag(f_t) V^T r for every row f_t of factors [T, n']: [n', T, c] for r [n', c]. Projects r once; all times
    // share one matrix product.
    Tensor Propagate(Tensor r, Tensor factors)
    {
        var projected = Spectrum.Project(r);
        var (count, columns) = (factors.shape[0], projected.shape[1]);
        var coefficients = factors.T.unsqueeze(2) * projected.unsqueeze(1);
        return Spectrum.Eigenvectors.matmul(coefficients.reshape(-1, count * columns)).reshape(-1, count, columns);
    }

    static Tensor PerTime(IReadOnlyList<double> times, Func<double, Tensor> factor)
    {
        ArgumentNullException.ThrowIfNull(times);
        if (times.Count == 0) throw new ArgumentException("Expected at least one time.", nameof(times));
        return stack(times.Select(factor).ToArray());
    }

    /// <summary>g_t(lambda_i) = (1 - decay_i) / lambda_i with its limits (see remarks).</summary>
    internal Tensor G(double t, bool discrete)
    {
        CheckTime(t, discrete);
        var lambda = Spectrum.Eigenvalues.clamp_min(0);
        if (double.IsPositiveInfinity(t))
        {
            var keep = lambda > RelativeCutoff * Spectrum.Max;
            return where(keep, 1 / where(keep, lambda, ones_like(lambda)), zeros_like(lambda));
        }
        if (discrete)
        {
            // (1 - (1 - eta lambda)^t) / lambda, through expm1/log1p where eta lambda is small (relative accuracy for
            // slow modes), directly where it is not (fast or oscillating modes); the limit eta t at lambda = 0.
            var a = Eta * lambda;
            var safe = where(lambda > 0, lambda, ones_like(lambda));
            var slow = -(t * (-a.clamp_max(0.5)).log1p()).expm1() / safe;
            var fast = (1 - (1 - a).pow(t)) / safe;
            return where(lambda > 0, where(a < 0.5, slow, fast), full_like(lambda, Eta * t));
        }
        var x = Eta * t * lambda;
        return where(lambda > 0, -(-x).expm1() / where(lambda > 0, lambda, ones_like(lambda)), full_like(lambda, Eta * t));
    }

    /// <summary>The per-mode residual factor e^{-eta lambda t} or (1 - eta lambda)^t (1 for null modes at t = infinity).</summary>
    internal Tensor DecayFactor(double t, bool discrete)
    {
        CheckTime(t, discrete);
        if (double.IsPositiveInfinity(t))
            return where(Spectrum.Eigenvalues > RelativeCutoff * Spectrum.Max, zeros_like(Spectrum.Eigenvalues), ones_like(Spectrum.Eigenvalues));
        return Spectrum.Decay(Eta, t, discrete);
    }

    void CheckTime(double t, bool discrete)
    {
        if (!(t >= 0)) throw new ArgumentOutOfRangeException(nameof(t), t, "Expected t >= 0 (or +infinity).");
        if (discrete && !double.IsPositiveInfinity(t) && t != Math.Floor(t))
            throw new ArgumentOutOfRangeException(nameof(t), t, "Discrete time counts steps: expected an integer.");
        if (discrete && double.IsPositiveInfinity(t) && Diverges)
            throw new ArgumentOutOfRangeException(nameof(t), t,
                $"Discrete gradient descent has no t = infinity limit at this rate: {DivergenceMessage}");
    }

    /// <summary>Whether discrete steps at <see cref="LearningRate"/> diverge: eta lambda_max &gt;= 2 (the top mode's factor |1 - eta lambda| &gt;= 1).</summary>
    public bool Diverges => Eta * Spectrum.Max >= 2;

    string DivergenceMessage =>
        $"learningRate {LearningRate:G4} is at or above the divergence limit {Spectrum.MaxLearningRate(0, Reduction, Targets.numel()):G4} " +
        $"({Reduction} loss; lambda_max = {Spectrum.Max:G4}), so the top modes grow like |1 - eta lambda|^t.";

    // Outputs that overflowed are the divergence, said as such; any other NaN/Inf is a bug upstream.
    Tensor CheckResult(Tensor result, string where, bool discrete)
    {
        if (discrete && Diverges && !Guard.AllFinite(result))
            throw new ArithmeticException($"{where} overflowed: {DivergenceMessage}");
        return Guard.CheckFinite(result, where);
    }

    /// <summary>Outputs [rows, k] on the targets' device, as float64.</summary>
    internal Tensor CheckOutputs(Tensor f, long rows, string name)
    {
        ArgumentNullException.ThrowIfNull(f, name);
        if (f.dim() != 2 || f.shape[0] != rows || f.shape[1] != Outputs)
            throw new ArgumentException($"{name} must be [{rows}, {Outputs}], but has shape {Guard.Shape(f)}.", name);
        Guard.OnDevice(f, Targets.device, name, "the training targets and kernel");
        return f.to(float64);
    }
}
