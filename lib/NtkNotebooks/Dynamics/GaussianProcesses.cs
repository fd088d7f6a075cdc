using NtkNotebooks.Kernels;
using NtkNotebooks.Spectrum;
using NtkNotebooks.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace NtkNotebooks.Dynamics;

/// <summary>
/// Infinite-width networks as Gaussian processes (PAPER.md "Infinite-width networks as Gaussian processes").
/// At initialisation f_0 ~ GP(0, K); training by gradient flow keeps it Gaussian with the mean and covariance below.
/// Kernels are KernelPairs (K, Theta) between the sets: train-train (X, X), test-train (T, X), test-test (T, T).
/// Inverses go through a symmetric eigendecomposition (pseudo-inverse below <see cref="MseDynamics.RelativeCutoff"/>
/// lambda_max, optional ridge); see <see cref="MseDynamics"/>. Float64, on the kernels' device (every kernel and the
/// targets on one device).
/// </summary>
public static class GaussianProcesses
{
    /// <summary>
    /// The NTK-GP of networks trained by gradient flow for time t on MSE (Corollary 1, Eq 14-16), an ensemble over
    /// initialisations: mean Theta_TX Theta^{-1} (I - e^{-eta Theta t}) Y, covariance
    /// K_TT + A K A^T - (A K_XT + K_TX A^T) with A = Theta_TX Theta^{-1} (I - e^{-eta Theta t}).
    /// t = infinity drops the exponentials. This is not a Bayesian posterior unless K is proportional to Theta.
    /// With <paramref name="discrete"/>, t counts gradient-descent steps and e^{-eta Theta t} becomes (I - eta Theta)^t:
    /// the ensemble of networks trained by t steps of rate eta, as the course trains them.
    /// </summary>
    public static GaussianProcessPrediction NtkGp(KernelPair trainTrain, KernelPair testTrain, KernelPair testTest, Tensor trainTargets,
        double learningRate, double t, LossReduction reduction = LossReduction.Mean, double ridge = 0, bool discrete = false)
    {
        Check(trainTrain, testTrain, testTest);
        var dynamics = new MseDynamics(trainTrain.Ntk, trainTargets, learningRate, reduction, ridge);
        var spectrum = dynamics.Spectrum;
        // A = Theta_TX V diag(g_t) V^T, with g_t(lambda) = (1 - e^{-eta lambda t}) / lambda.
        var a = testTrain.Ntk.to(float64).matmul(spectrum.Eigenvectors).mul(dynamics.G(t, discrete)).matmul(spectrum.Eigenvectors.T);
        var mean = a.matmul(dynamics.Targets);
        var kXX = trainTrain.Nngp.to(float64);
        var aKxt = a.matmul(testTrain.Nngp.to(float64).T);
        var covariance = testTest.Nngp.to(float64) + a.matmul(kXX).matmul(a.T) - (aKxt + aKxt.T);
        return new GaussianProcessPrediction(Guard.CheckFinite(mean, "NtkGp mean"), Guard.CheckFinite(Symmetrize(covariance), "NtkGp covariance"));
    }

    /// <summary>
    /// The Bayesian posterior of the NNGP prior with noiseless observations (Eq 13): mean K_TX K^{-1} Y, covariance
    /// K_TT - K_TX K^{-1} K_XT. Also the t = infinity limit of <see cref="ReadoutOnly"/>.
    /// </summary>
    public static GaussianProcessPrediction NngpPosterior(KernelPair trainTrain, KernelPair testTrain, KernelPair testTest, Tensor trainTargets,
        double ridge = 0) =>
        ReadoutOnly(trainTrain, testTrain, testTest, trainTargets, learningRate: 1, double.PositiveInfinity, LossReduction.Sum, ridge);

    /// <summary>
    /// Training only the readout layer of a wide network by gradient flow (S20-S23; its NTK is K): mean
    /// K_TX K^{-1} (I - e^{-eta K t}) Y, covariance K_TT - K_TX K^{-1} (I - e^{-2 eta K t}) K_XT (the factor 2 is right;
    /// v3 of the paper misprints it: it is the square of the decay, D_t^2, which the NTK-GP's covariance with Theta = K
    /// reduces to). With <paramref name="discrete"/>, D_t = (I - eta K)^t after t steps.
    /// </summary>
    public static GaussianProcessPrediction ReadoutOnly(KernelPair trainTrain, KernelPair testTrain, KernelPair testTest, Tensor trainTargets,
        double learningRate, double t, LossReduction reduction = LossReduction.Mean, double ridge = 0, bool discrete = false)
    {
        Check(trainTrain, testTrain, testTest);
        var dynamics = new MseDynamics(trainTrain.Nngp, trainTargets, learningRate, reduction, ridge);
        var spectrum = dynamics.Spectrum;
        var kTx = testTrain.Nngp.to(float64).matmul(spectrum.Eigenvectors); // [M, N] in the eigenbasis
        var mean = kTx.mul(dynamics.G(t, discrete)).matmul(spectrum.Project(dynamics.Targets));
        // (I - D_t^2) / lambda = g at time 2t: D_t^2 = e^{-eta lambda 2t} or (1 - eta lambda)^{2t}.
        var covariance = testTest.Nngp.to(float64) - kTx.mul(dynamics.G(2 * t, discrete)).matmul(kTx.T);
        return new GaussianProcessPrediction(Guard.CheckFinite(mean, "ReadoutOnly mean"), Guard.CheckFinite(Symmetrize(covariance), "ReadoutOnly covariance"));
    }

    static Tensor Symmetrize(Tensor m) => (m + m.T) / 2;

    static void Check(KernelPair trainTrain, KernelPair testTrain, KernelPair testTest)
    {
        ArgumentNullException.ThrowIfNull(trainTrain);
        ArgumentNullException.ThrowIfNull(testTrain);
        ArgumentNullException.ThrowIfNull(testTest);
        Guard.SameDevice((trainTrain.Ntk, "trainTrain.Ntk"), (trainTrain.Nngp, "trainTrain.Nngp"), (testTrain.Ntk, "testTrain.Ntk"),
            (testTrain.Nngp, "testTrain.Nngp"), (testTest.Ntk, "testTest.Ntk"), (testTest.Nngp, "testTest.Nngp"));
        var n = trainTrain.Ntk.shape[0];
        var m = testTrain.Ntk.shape[0];
        if (trainTrain.Ntk.shape is not [_, _] || trainTrain.Ntk.shape[1] != n || !trainTrain.Nngp.shape.SequenceEqual(trainTrain.Ntk.shape))
            throw new ArgumentException($"trainTrain kernels must be [N, N]; got K {Guard.Shape(trainTrain.Nngp)}, Theta {Guard.Shape(trainTrain.Ntk)}.", nameof(trainTrain));
        if (testTrain.Ntk.shape is not [_, _] || testTrain.Ntk.shape[1] != n || !testTrain.Nngp.shape.SequenceEqual(testTrain.Ntk.shape))
            throw new ArgumentException($"testTrain kernels must be [M, {n}]; got K {Guard.Shape(testTrain.Nngp)}, Theta {Guard.Shape(testTrain.Ntk)}.", nameof(testTrain));
        if (testTest.Nngp.shape is not [_, _] || testTest.Nngp.shape[0] != m || testTest.Nngp.shape[1] != m)
            throw new ArgumentException($"testTest kernels must be [{m}, {m}]; got K {Guard.Shape(testTest.Nngp)}.", nameof(testTest));
    }
}
