using static TorchSharp.torch;

namespace NtkNotebooks.Stax;

/// <summary>
/// A fully connected layer h = x W + b on vectors [N, d] (PAPER.md "Notation and parameterization"): in NTK
/// parameterization (Eq 1) W = (sigma_w / sqrt(d)) omega and b = sigma_b beta with omega, beta ~ N(0, 1) the trained
/// parameters; in standard parameterization (S36) W ~ N(0, sigma_w^2 / d), b ~ N(0, sigma_b^2). No bias when
/// sigma_b = 0.
/// </summary>
/// <remarks>
/// Kernel (PAPER.md S24-S29, the step from x^l to h^{l+1}): K' = sigma_w^2 K + sigma_b^2 and
/// Theta' = K' + sigma_w^2 Theta, where K is the second moment of the input averaged over its d features (x.x'/n_0 for
/// the network input, T(Sigma) after an activation) and Theta the input's NTK (zero for the network input).
/// </remarks>
public sealed record DenseLayer : Layer
{
    /// <param name="width">n_l, the number of outputs, &gt; 0.</param>
    /// <param name="sigmaW">sigma_w &gt; 0.</param>
    /// <param name="sigmaB">sigma_b &gt;= 0 (0: no bias).</param>
    public DenseLayer(int width, double sigmaW = 1.0, double sigmaB = 0.0)
    {
        Guard.Positive(width, nameof(width));
        Guard.Positive(sigmaW, nameof(sigmaW));
        Guard.NonNegative(sigmaB, nameof(sigmaB));
        Width = width;
        SigmaW = sigmaW;
        SigmaB = sigmaB;
    }

    /// <summary>n_l, the number of outputs.</summary>
    public int Width { get; }
    /// <summary>sigma_w.</summary>
    public double SigmaW { get; }
    /// <summary>sigma_b (0: no bias).</summary>
    public double SigmaB { get; }

    internal override Stream Infer(Stream input, Inference inference)
    {
        if (input.Shape.IsImage)
            throw inference.Error($"{this} needs vector inputs [d], but its input has shape {input.Shape}: put Flatten() or GlobalAvgPool() before it");
        var d = input.Shape.Channels;
        var id = inference.AddSite(new ParametricSite("Dense", [d, Width], d, Width, SigmaW, SigmaB));
        return new Stream(Shape.Vector(Width), Gaussian: true, input.Dependencies.Add(id), [id]);
    }

    internal override Tensor Forward(Tensor input, ParameterCursor parameters)
    {
        var p = parameters.Next();
        var h = input.matmul(p.Weight);
        if (p.WeightScale != 1.0) h = h.mul(p.WeightScale);
        if (p.Bias is not null) h = h.add(p.Bias, alpha: p.BiasScale);
        parameters.Record(new SiteActivity(p, input, h, null));
        return h;
    }

    internal override Layout Require(Layout output) => Layout.Diagonal;

    internal override KernelState Propagate(KernelState input, Layout output, KernelContext context)
    {
        var (sw2, sb2) = (SigmaW * SigmaW, SigmaB * SigmaB);
        var nngp = Affine(input.Nngp, sw2, sb2);
        var ntk = input.Ntk is null ? nngp : input.Ntk.mul(sw2).add_(nngp);
        var var1 = input.Pinned ? null : Affine(input.Var1, sw2, sb2);
        return input.With(Shape.Vector(Width), Layout.Diagonal, nngp, ntk, var1, Affine(input.Var2, sw2, sb2));
    }

    // sigma_w^2 K + sigma_b^2, in the order AnalyticKernels uses.
    static Tensor Affine(Tensor k, double sw2, double sb2) => k.mul(sw2).add_(sb2);

    /// <inheritdoc/>
    public override string ToString() => $"Dense({Width}, sigmaW={SigmaW:G4}, sigmaB={SigmaB:G4})";
}
