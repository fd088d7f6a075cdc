namespace NtkNotebooks.Models;

/// <summary>
/// A fully connected network h^{l+1} = x^l W^{l+1} + b^{l+1}, x^{l+1} = phi(h^{l+1}), f = h^{L+1}
/// (PAPER.md "Notation and parameterization"): what both the finite network and the infinite-width kernels describe.
/// </summary>
public sealed record FullyConnectedArchitecture
{
    /// <param name="inputDim">n_0, the input dimension.</param>
    /// <param name="hiddenWidths">n_1 .. n_L (L = 0 gives a linear model).</param>
    /// <param name="outputs">k, the number of outputs.</param>
    /// <param name="activation">phi.</param>
    /// <param name="sigmaW">sigma_w &gt; 0.</param>
    /// <param name="sigmaB">sigma_b &gt;= 0.</param>
    /// <param name="parameterization">NTK (Eq 1, default) or standard (S36).</param>
    /// <param name="useBias">Whether layers have biases; defaults to sigma_b &gt; 0.</param>
    public FullyConnectedArchitecture(int inputDim, IReadOnlyList<int> hiddenWidths, int outputs, Activation activation,
        double sigmaW = 1.0, double sigmaB = 0.0, Parameterization parameterization = Parameterization.Ntk, bool? useBias = null)
    {
        Guard.Positive(inputDim, nameof(inputDim));
        ArgumentNullException.ThrowIfNull(hiddenWidths);
        for (var l = 0; l < hiddenWidths.Count; l++)
            Guard.Positive(hiddenWidths[l], $"{nameof(hiddenWidths)}[{l}]");
        Guard.Positive(outputs, nameof(outputs));
        Guard.Positive(sigmaW, nameof(sigmaW));
        Guard.NonNegative(sigmaB, nameof(sigmaB));
        InputDim = inputDim;
        HiddenWidths = hiddenWidths.ToArray();
        Outputs = outputs;
        Activation = activation ?? throw new ArgumentNullException(nameof(activation));
        SigmaW = sigmaW;
        SigmaB = sigmaB;
        Parameterization = parameterization;
        UseBias = useBias ?? sigmaB > 0;
    }

    /// <summary>n_0.</summary>
    public int InputDim { get; }
    /// <summary>n_1 .. n_L.</summary>
    public IReadOnlyList<int> HiddenWidths { get; }
    /// <summary>k.</summary>
    public int Outputs { get; }
    /// <summary>phi.</summary>
    public Activation Activation { get; }
    /// <summary>sigma_w.</summary>
    public double SigmaW { get; }
    /// <summary>sigma_b.</summary>
    public double SigmaB { get; }
    /// <summary>NTK or standard parameterization.</summary>
    public Parameterization Parameterization { get; }
    /// <summary>Whether every layer has a bias.</summary>
    public bool UseBias { get; }

    /// <summary>sigma_w^2, the weight variance of the kernel recursions (PAPER.md S24-S29).</summary>
    public double WeightVariance => SigmaW * SigmaW;

    /// <summary>sigma_b^2 when the layers have biases, else 0: the bias term of the kernel recursions.</summary>
    public double BiasVariance => UseBias ? SigmaB * SigmaB : 0.0;

    /// <summary>L, the number of hidden layers.</summary>
    public int Depth => HiddenWidths.Count;

    /// <summary>n_0, n_1, .., n_L, k.</summary>
    public IReadOnlyList<int> LayerWidths => [InputDim, .. HiddenWidths, Outputs];

    /// <summary>A copy with every hidden layer of width <paramref name="width"/>.</summary>
    public FullyConnectedArchitecture WithWidth(int width) =>
        new(InputDim, Enumerable.Repeat(width, Depth).ToArray(), Outputs, Activation, SigmaW, SigmaB, Parameterization, UseBias);

    /// <summary>A copy with another parameterization.</summary>
    public FullyConnectedArchitecture WithParameterization(Parameterization parameterization) =>
        new(InputDim, HiddenWidths, Outputs, Activation, SigmaW, SigmaB, parameterization, UseBias);

    /// <inheritdoc/>
    public override string ToString() =>
        $"{Parameterization} FC {string.Join("-", LayerWidths)} {Activation.Name}, sigma_w^2={WeightVariance:G4}, sigma_b^2={SigmaB * SigmaB:G4}{(UseBias ? "" : ", no bias")}";
}
