using NtkNotebooks.Models;
using static TorchSharp.torch;

namespace NtkNotebooks.Stax;

/// <summary>An activation phi applied to every entry (every feature, or every channel of every pixel). No parameters.</summary>
/// <remarks>
/// Kernel (PAPER.md S24-S29, the step from h^l to x^l, pixel by pixel for images as in Novak et al. 2019, Eq 4 and
/// Arora et al. 2019, Sec 4): with Sigma = [[K[x, x, p, p], K[x, x', p, p']], [K[x, x', p, p'], K[x', x', p', p']]]
/// built from each example's own pixel variances,
/// <code>
/// K' = T(Sigma) = E[phi(u) phi(v)],   Theta' = TDot(Sigma) Theta,   TDot(Sigma) = E[phi'(u) phi'(v)],   (u, v) ~ N(0, Sigma)
/// </code>
/// using <see cref="Activation.ClosedForm"/> when the activation has one (ReLU, erf, identity) and
/// <see cref="Kernels.GaussianQuadrature"/> otherwise (then phi' is required). The input must be a centred Gaussian
/// process at infinite width: the output of a Dense or Conv layer, possibly pooled or summed with another such
/// stream; on the raw network input, or after another activation or Flatten, the analytic kernels are refused.
/// </remarks>
public sealed record ElementwiseLayer : Layer
{
    /// <param name="phi">The activation.</param>
    public ElementwiseLayer(Activation phi)
    {
        Phi = phi ?? throw new ArgumentNullException(nameof(phi));
    }

    /// <summary>phi.</summary>
    public Activation Phi { get; }

    internal override Stream Infer(Stream input, Inference inference)
    {
        if (!input.Gaussian)
            inference.Issue($"{this} acts on a stream that is not a centred Gaussian process at infinite width (the network input, " +
                "an activation's output or a flattened image): T and TDot need Gaussian pre-activations. Put a Dense or Conv layer before it");
        if (Phi.ClosedForm is null && Phi.Derivative is null)
            inference.Issue($"Activation '{Phi.Name}' has neither closed-form T, TDot nor a derivative for quadrature; create it with Activation.Custom(name, phi, phiPrime)");
        return input with { Gaussian = false, Fresh = null };
    }

    internal override Tensor Forward(Tensor input, ParameterCursor parameters) => Phi.Apply(input);

    internal override KernelState Propagate(KernelState input, Layout output, KernelContext context)
    {
        var state = input.Conform(output);
        GaussianExpectations expectations = Phi.ClosedForm
            ?? ((k11, k12, k22) => context.Quadrature.Expectations(Phi, k11, k12, k22));
        var image = state.Shape.IsImage;
        var full = image && state.Layout == Layout.Full;
        var (v1, v2) = (state.PixelVariances(state.Var1), state.PixelVariances(state.Var2));
        // The pair's pixel variances broadcast against [R, C, ...]: [R, 1, ...] and [1, C, ...], with singleton pixel
        // dimensions for the other example's pixels in the full layout.
        var (k11, k22) = full
            ? (v1.reshape(v1.shape[0], 1, v1.shape[1], v1.shape[2], 1, 1), v2.reshape(1, v2.shape[0], 1, 1, v2.shape[1], v2.shape[2]))
            : (v1.unsqueeze(1), v2.unsqueeze(0));
        var (t, tDot) = expectations(k11, state.Nngp, k22);
        var ntk = state.Ntk is null ? null : tDot.mul(state.Ntk);
        var var1 = state.Pinned ? null : Self(expectations, state.Var1, v1, full);
        return state.With(state.Shape, state.Layout, t, ntk, var1, Self(expectations, state.Var2, v2, full));
    }

    // T of each example with itself: [B, ...] from its second moments and pixel variances.
    static Tensor Self(GaussianExpectations expectations, Tensor moments, Tensor variances, bool full) => full
        ? expectations(variances.reshape(variances.shape[0], variances.shape[1], variances.shape[2], 1, 1), moments,
            variances.reshape(variances.shape[0], 1, 1, variances.shape[1], variances.shape[2])).T
        : expectations(moments, moments, moments).T;

    /// <inheritdoc/>
    public override string ToString() => Phi.Name;
}

/// <summary>The identity map: the shortcut branch of a residual block. Kernels pass unchanged.</summary>
public sealed record IdentityLayer : Layer
{
    internal override Stream Infer(Stream input, Inference inference) => input;
    internal override Tensor Forward(Tensor input, ParameterCursor parameters) => input;
    internal override KernelState Propagate(KernelState input, Layout output, KernelContext context) => input;

    /// <inheritdoc/>
    public override string ToString() => "Identity";
}
