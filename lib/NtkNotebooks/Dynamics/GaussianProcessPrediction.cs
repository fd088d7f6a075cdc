using static TorchSharp.torch;

namespace NtkNotebooks.Dynamics;

/// <summary>A Gaussian-process prediction on M test points: mean [M, k] and covariance [M, M] (shared by the k outputs).</summary>
/// <param name="Mean">Posterior or trained-ensemble mean.</param>
/// <param name="Covariance">Covariance across test points.</param>
public sealed record GaussianProcessPrediction(Tensor Mean, Tensor Covariance)
{
    /// <summary>Standard deviation at each test point [M] (negative round-off variances clamp to 0).</summary>
    public Tensor StandardDeviation => Covariance.diagonal().clamp_min(0).sqrt();
}
