using NtkNotebooks.Dynamics;
using NtkNotebooks.Kernels;
using NtkNotebooks.Spectrum;
using NtkNotebooks.Training;
using static TorchSharp.torch;

namespace NtkNotebooks.Benchmarks.DeviceCheck;

/// <summary>
/// Spectra, closed-form dynamics (MSE, momentum), the cross-entropy ODE and the Gaussian-process predictions on the
/// device against the CPU, from the analytic kernels computed once on the CPU and copied.
/// </summary>
/// <remarks>
/// Everything goes through a symmetric eigendecomposition, whose eigenvectors are not unique (signs, rotations within
/// clusters): only basis-independent results are compared (eigenvalues, predictions, losses). A backward-stable
/// eigensolver returns the exact decomposition of Theta + dTheta with ||dTheta|| &lt;= c N u lambda_max, so each result
/// moves by at most c N u times the Lipschitz constant A of its matrix function of Theta (relative to lambda_max).
/// The learning rate is eta = 1 / lambda_max on the total loss, so s = eta lambda_max t is the time t in steps.
/// </remarks>
public static class DynamicsComparisons
{
    const int N = CheckInputs.TrainCount;

    /// <summary>Runs every comparison.</summary>
    public static void Run(DeviceComparer c, CheckInputs inputs)
    {
        Spectrum(c, inputs);
        Mse(c, inputs);
        Momentum(c, inputs);
        CrossEntropy(c, inputs);
        Processes(c, inputs);
    }

    static Tolerance Eigen(double amplification, string why) =>
        Tolerance.RoundOff(ScalarType.Float64, N, "eigh backward error c N u lambda_max", amplification, why);

    static void Spectrum(DeviceComparer c, CheckInputs inputs)
    {
        // Weyl: every eigenvalue moves by at most ||dTheta||, relative to lambda_max = max |lambda|.
        c.Compare("KernelSpectrum.Eigenvalues", Eigen(1, "Weyl"), d => new KernelSpectrum(inputs.TrainTrain.Ntk.to(d)).Eigenvalues);
        // 2 / lambda_max and 2 / (lambda_min + lambda_max): the relative error of the denominator, whose two terms
        // each move by ||dTheta||.
        c.Compare("KernelSpectrum learning-rate limits (Max, momentum, Critical)", Eigen(2, "two eigenvalues in a denominator"), d =>
        {
            var spectrum = new KernelSpectrum(inputs.TrainTrain.Ntk.to(d));
            return ApiOutputs.Numbers(spectrum.MaxLearningRate(), spectrum.MaxLearningRate(0.9),
                spectrum.CriticalLearningRate(LossReduction.Mean, N));
        });
        // e^{-eta lambda t} and (1 - eta lambda)^t have slope at most eta t in lambda: A = 1 + s, s = 10.
        var eta = 1 / inputs.NtkSpectrum.Max;
        c.Compare("KernelSpectrum.Decay (t = 10, continuous and discrete)", Eigen(11, "1 + s, the decay's slope in lambda"), d =>
        {
            var spectrum = new KernelSpectrum(inputs.TrainTrain.Ntk.to(d));
            return new[] { spectrum.Decay(eta, 10, discrete: false), spectrum.Decay(eta, 10, discrete: true) };
        });
    }

    static void Mse(DeviceComparer c, CheckInputs inputs)
    {
        var eta = 1 / inputs.NtkSpectrum.Max;
        double[] times = [0, 1, 10, 100];
        MseDynamics Dynamics(Device d) => new(inputs.TrainTrain.Ntk.to(d), inputs.YTrain.to(d), eta, LossReduction.Sum);

        // f_t(X) = Y + e^{-eta Theta t} (f_0 - Y): slope eta t in lambda (continuous) or eta t |1 - eta lambda|^{t-1}
        // <= eta t (discrete, 0 <= eta lambda <= 1): A = 1 + s_max.
        var train = Eigen(1 + times[^1], "1 + s_max, slope of the decay");
        c.Compare("MseDynamics.TrainOutputs (continuous, 4 times)", train, d => Dynamics(d).TrainOutputs(inputs.F0Train.to(d), times));
        c.Compare("MseDynamics.TrainOutputs (discrete, 4 times)", train, d => Dynamics(d).TrainOutputs(inputs.F0Train.to(d), times, discrete: true));
        c.Compare("MseDynamics.TrainOutputs (t = 10)", Eigen(11, "1 + s"), d => Dynamics(d).TrainOutputs(inputs.F0Train.to(d), 10.0));
        // f_t(x) = f_0(x) + Theta(x, X) g_t(Theta) (Y - f_0(X)) with g_t(lambda) = (1 - e^{-eta lambda t}) / lambda, whose
        // slope is at most (eta t)^2 / 2; times ||Theta(x, X)|| ~ lambda_max: A = 1 + s_max^2 / 2.
        var test = Eigen(1 + times[^1] * times[^1] / 2, "1 + s_max^2/2, slope of g_t");
        c.Compare("MseDynamics.TestOutputs (continuous, 4 times)", test,
            d => Dynamics(d).TestOutputs(inputs.TestTrain.Ntk.to(d), inputs.F0Test.to(d), inputs.F0Train.to(d), times));
        c.Compare("MseDynamics.TestOutputs (discrete, 4 times)", test,
            d => Dynamics(d).TestOutputs(inputs.TestTrain.Ntk.to(d), inputs.F0Test.to(d), inputs.F0Train.to(d), times, discrete: true));
        // t = infinity: Theta(x, X) Theta^{-1} (Y - f_0): the inverse amplifies dTheta by the condition number.
        c.Compare("MseDynamics.TestOutputs (t = infinity)", Eigen(inputs.NtkCondition, "condition number of Theta"),
            d => Dynamics(d).TestOutputs(inputs.TestTrain.Ntk.to(d), inputs.F0Test.to(d), inputs.F0Train.to(d), double.PositiveInfinity));
        // omega_t = -J^T g_t(Theta) (f_0 - Y): the coefficients as the test outputs (s = 10), then a VJP through the
        // float64 network (a forward and a backward pass, the sum over N).
        var network = CheckInputs.ForwardPath(inputs.Relu) + CheckInputs.BackwardPath(inputs.Relu) + N;
        c.Compare("MseDynamics.WeightChange (t = 10)",
            Eigen(51, "1 + s^2/2, slope of g_t").Plus(Tolerance.RoundOff(ScalarType.Float64, network, "VJP: forward, backward, sum over N")),
            d => Dynamics(d).WeightChange(NetworkComparisons.Fc(inputs, ScalarType.Float64, d), inputs.XTrain.to(d), inputs.F0Train.to(d), 10));
        // The loss is a square of the residual f_t - Y: twice its relative error, which is the outputs' error (A = 1 + s)
        // relative to ||f_0 - Y|| / ||f_t - Y|| (how far training has shrunk the residual, read off the CPU's losses).
        var shrink = Math.Sqrt(Dynamics(CPU).TrainLoss(inputs.F0Train, 0) / Dynamics(CPU).TrainLoss(inputs.F0Train, 10));
        c.Compare("MseDynamics.TrainLoss (t = 10)", Eigen(2 * 11 * shrink, "2 (1 + s) ||f_0 - Y|| / ||f_t - Y||"),
            d => ApiOutputs.Numbers(Dynamics(d).TrainLoss(inputs.F0Train.to(d), 10)));
    }

    static void Momentum(DeviceComparer c, CheckInputs inputs)
    {
        var eta = 1 / inputs.NtkSpectrum.Max;
        const int steps = 10;
        const double beta = 0.9;
        MomentumDynamics Dynamics(Device d) => new(inputs.TrainTrain.Ntk.to(d), inputs.YTrain.to(d), eta, beta, LossReduction.Sum);
        // Each mode's residual follows z_{i+1} = (1 + beta - x) z_i - beta z_{i-1}, x = eta lambda in [0, 1], inside the
        // stable region x < 2 (1 + beta): the recursion's solution operator grows at most linearly (a double root), so
        // dz_n/dx <= sum_i (n - i)(i + 1) <= (n + 1)^3 / 6.
        var slope = Math.Pow(steps + 1, 3) / 6;
        c.Compare("MomentumDynamics.TrainOutputs (10 steps)", Eigen(slope, "(n + 1)^3/6, slope of the momentum recursion"),
            d => Dynamics(d).TrainOutputs(inputs.F0Train.to(d), steps));
        // The test outputs map the change through Theta^+: times the condition number.
        c.Compare("MomentumDynamics.TestOutputs (10 steps)", Eigen(slope * inputs.NtkCondition, "(n + 1)^3/6 times the condition number of Theta"),
            d => Dynamics(d).TestOutputs(inputs.TestTrain.Ntk.to(d), inputs.F0Test.to(d), inputs.F0Train.to(d), steps));
    }

    static void CrossEntropy(DeviceComparer c, CheckInputs inputs)
    {
        // Rate on the mean loss such that eta lambda_max = 1 on the total loss.
        var learningRate = (double)N * CheckInputs.Classes / inputs.NtkSpectrum.Max;
        const double relativeTolerance = 1e-10;
        // The flow d f/dt = -eta Theta (softmax(f) - Y) contracts (Theta and the softmax Jacobian are PSD), so each
        // device's solution stays within the sum of dopri5's local errors, each <= rtol |f|, of the exact flow: even a
        // step accepted on one device and rejected on the other moves the result by no more than that. 100 rtol
        // bounds it for the <= 100 steps this smooth problem takes to t = 100 (round-off alone is ~1e-14).
        c.Compare("CrossEntropyDynamics.Solve (3 classes, 3 times)",
            Tolerance.Fixed(100 * relativeTolerance, "100 x dopri5's rtol = 1e-10: a contracting flow keeps the sum of local errors"),
            d => CrossEntropyDynamics.Solve(inputs.TrainTrain.Ntk.to(d), inputs.TestTrain.Ntk.to(d), inputs.OneHotTrain.to(d),
                    inputs.F0TrainClasses.to(d), inputs.F0TestClasses.to(d), learningRate, [1, 10, 100], LossReduction.Mean, relativeTolerance)
                .SelectMany(s => new[] { s.Train, s.Test }).ToArray());
    }

    static void Processes(DeviceComparer c, CheckInputs inputs)
    {
        KernelPair On(KernelPair pair, Device d) => new(pair.Nngp.to(d), pair.Ntk.to(d));
        var ntkRate = 1 / inputs.NtkSpectrum.Max;
        var nngpRate = 1 / inputs.NngpSpectrum.Max;
        const double t = 1; // s = 1
        var kTT = inputs.TestTest.Nngp.abs().max().item<double>();
        // A covariance K_TT - (...) can be much smaller than the terms it is the difference of: an error relative to
        // max|K_TT| is larger by max|K_TT| / max|C| relative to the result (the CPU's covariance).
        Func<DeviceComparer.HostResults, Tolerance> Covariance(Tolerance bound) =>
            reference => bound.Times(Math.Max(1, kTT / reference.MaxAbs(0)), "max|K_TT| / max|covariance|");

        GaussianProcessPrediction NtkGp(Device d) => GaussianProcesses.NtkGp(On(inputs.TrainTrain, d), On(inputs.TestTrain, d),
            On(inputs.TestTest, d), inputs.YTrain.to(d), ntkRate, t, LossReduction.Sum);
        // A = Theta_TX g_t(Theta) moves by (1 + s^2/2) c N u (slope of g_t); the covariance's terms A K A^T, A K_XT are
        // up to (1 + s)^2 ||K|| in size.
        c.Compare("GaussianProcesses.NtkGp mean (t = 1)", Eigen(1.5, "1 + s^2/2, slope of g_t"), d => NtkGp(d).Mean);
        c.Compare("GaussianProcesses.NtkGp covariance (t = 1)", Covariance(Eigen(6, "(1 + s)^2 (1 + s^2/2)")), d => NtkGp(d).Covariance);

        // Eq 13, K^{-1}: the mean moves by the condition number; for the covariance, K_TX K^{-1} dK K^{-1} K_XT is at
        // most ||K_TT|| ||dK|| / lambda_min (K_TX K^{-1} K_XT <= K_TT, a Schur complement): also the condition number.
        c.Compare("GaussianProcesses.NngpPosterior mean", Eigen(inputs.NngpCondition, "condition number of K"),
            d => GaussianProcesses.NngpPosterior(On(inputs.TrainTrain, d), On(inputs.TestTrain, d), On(inputs.TestTest, d), inputs.YTrain.to(d)).Mean);
        c.Compare("GaussianProcesses.NngpPosterior covariance", Covariance(Eigen(inputs.NngpCondition, "condition number of K")),
            d => GaussianProcesses.NngpPosterior(On(inputs.TrainTrain, d), On(inputs.TestTrain, d), On(inputs.TestTest, d), inputs.YTrain.to(d)).Covariance);

        GaussianProcessPrediction Readout(Device d) => GaussianProcesses.ReadoutOnly(On(inputs.TrainTrain, d), On(inputs.TestTrain, d),
            On(inputs.TestTest, d), inputs.YTrain.to(d), nngpRate, t, LossReduction.Sum);
        // The mean as NtkGp's with K; the covariance uses (1 - e^{-2 eta lambda t}) / lambda, slope 2 (eta t)^2.
        c.Compare("GaussianProcesses.ReadoutOnly mean (t = 1)", Eigen(1.5, "1 + s^2/2, slope of g_t"), d => Readout(d).Mean);
        c.Compare("GaussianProcesses.ReadoutOnly covariance (t = 1)", Covariance(Eigen(3, "1 + 2 s^2, slope of g_2t")), d => Readout(d).Covariance);
    }
}
