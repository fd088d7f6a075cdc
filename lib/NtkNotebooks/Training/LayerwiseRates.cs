using NtkNotebooks.Models;

namespace NtkNotebooks.Training;

/// <summary>
/// Layer-wise learning rates that make the two parameterizations train identically (S37). A standard-parameterization
/// weight is W = a omega with a = sigma_w / sqrt(n_in) (and b = sigma_b beta): a gradient step of rate eta on omega
/// moves W by a^2 eta grad_W. So standard SGD with rate eta_std = eta_0 / n_max equals NTK-parameterization SGD with
/// eta_w = eta_0 n_in / (n_max sigma_w^2) per weight tensor and eta_b = eta_0 / (n_max sigma_b^2) per bias,
/// from the same initial function.
/// </summary>
public static class LayerwiseRates
{
    /// <summary>n_max: the widest hidden layer (the input dimension for a network without hidden layers).</summary>
    public static int MaxWidth(FullyConnectedArchitecture architecture) =>
        architecture.HiddenWidths.Count > 0 ? architecture.HiddenWidths.Max() : architecture.InputDim;

    /// <summary>eta_std = eta_0 / n_max for the standard-parameterization network.</summary>
    public static double StandardRate(FullyConnectedArchitecture architecture, double eta0)
    {
        Guard.Positive(eta0, nameof(eta0));
        return eta0 / MaxWidth(architecture);
    }

    /// <summary>
    /// The per-tensor rates for the NTK-parameterization network, in its <c>parameters()</c> order (W1, b1, W2, ...):
    /// use them as <see cref="TrainingOptions.ParameterRateScales"/> with <see cref="TrainingOptions.LearningRate"/> = 1.
    /// </summary>
    public static double[] NtkRatesMatchingStandard(FullyConnectedNetwork ntkNetwork, double eta0)
    {
        ArgumentNullException.ThrowIfNull(ntkNetwork);
        Guard.Positive(eta0, nameof(eta0));
        var architecture = ntkNetwork.Architecture;
        if (architecture.Parameterization != Parameterization.Ntk)
            throw new ArgumentException("Expected a network in NTK parameterization.", nameof(ntkNetwork));
        var nMax = MaxWidth(architecture);
        var rates = new List<double>();
        var widths = architecture.LayerWidths;
        for (var l = 0; l < ntkNetwork.LayerCount; l++)
        {
            rates.Add(eta0 * widths[l] / (nMax * architecture.WeightVariance));
            if (ntkNetwork.Biases[l] is not null) rates.Add(eta0 / (nMax * architecture.BiasVariance));
        }
        return [.. rates];
    }
}
