using TorchSharp;
using static TorchSharp.torch;

namespace NtkNotebooks.Models;

/// <summary>
/// Gaussian expectations of an activation, the building blocks of the infinite-width recursions (PAPER.md, S24-S29):
/// for (u, v) ~ N(0, [[k11, k12], [k12, k22]]), <c>T = E[phi(u) phi(v)]</c> and <c>TDot = E[phi'(u) phi'(v)]</c>.
/// Arguments broadcast elementwise.
/// </summary>
public delegate (Tensor T, Tensor TDot) GaussianExpectations(Tensor k11, Tensor k12, Tensor k22);

/// <summary>
/// An elementwise nonlinearity phi with its derivative phi' and, when known, closed-form Gaussian expectations.
/// </summary>
/// <remarks>
/// Add your own with <see cref="Custom"/>: the networks use <see cref="Apply"/>, the structured empirical NTK uses
/// <see cref="Derivative"/>, and the analytic kernels fall back to quadrature
/// (<see cref="Kernels.GaussianQuadrature"/>) when <see cref="ClosedForm"/> is null.
/// </remarks>
public sealed class Activation
{
    Activation(string name, Func<Tensor, Tensor> apply, Func<Tensor, Tensor>? derivative, GaussianExpectations? closedForm)
    {
        if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException("An activation needs a name.", nameof(name));
        Name = name;
        Apply = apply ?? throw new ArgumentNullException(nameof(apply));
        Derivative = derivative;
        ClosedForm = closedForm;
    }

    /// <summary>Display name, e.g. "ReLU".</summary>
    public string Name { get; }

    /// <summary>phi, applied elementwise.</summary>
    public Func<Tensor, Tensor> Apply { get; }

    /// <summary>phi', applied elementwise; null when unknown (then only the general Jacobian NTK works).</summary>
    public Func<Tensor, Tensor>? Derivative { get; }

    /// <summary>Closed-form T and TDot (PAPER.md "Kernels"), or null to use quadrature.</summary>
    public GaussianExpectations? ClosedForm { get; }

    /// <summary>phi', or a clear exception naming the activation when it has none.</summary>
    internal Func<Tensor, Tensor> RequireDerivative(string purpose) =>
        Derivative ?? throw new NotSupportedException(
            $"Activation '{Name}' has no derivative, which {purpose} needs. Create it with Activation.Custom(name, phi, phiPrime).");

    /// <inheritdoc/>
    public override string ToString() => Name;

    /// <summary>phi(x) = max(x, 0), with the arc-cosine closed forms of PAPER.md.</summary>
    public static Activation ReLU { get; } = new("ReLU",
        x => nn.functional.relu(x),
        x => x.gt(0).to_type(x.dtype),
        ReluExpectations);

    /// <summary>phi(x) = erf(x), with the arcsine closed forms of PAPER.md.</summary>
    public static Activation Erf { get; } = new("Erf",
        x => x.erf(),
        x => x.square().neg().exp().mul(2.0 / Math.Sqrt(Math.PI)),
        ErfExpectations);

    /// <summary>phi(x) = tanh(x); analytic kernels by quadrature.</summary>
    public static Activation Tanh { get; } = new("Tanh",
        x => x.tanh(),
        x => 1.0 - x.tanh().square(),
        null);

    /// <summary>phi(x) = x (a deep linear network): T = k12, TDot = 1.</summary>
    public static Activation Identity { get; } = new("Identity",
        x => x.alias(),
        x => ones_like(x),
        (k11, k12, k22) => (k12.alias(), ones_like(k12)));

    /// <summary>The built-in activations by name (case-insensitive): ReLU, Erf, Tanh, Identity.</summary>
    public static Activation Parse(string name) => name.ToLowerInvariant() switch
    {
        "relu" => ReLU,
        "erf" => Erf,
        "tanh" => Tanh,
        "identity" or "linear" => Identity,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "Expected one of ReLU, Erf, Tanh, Identity (or use Activation.Custom)."),
    };

    /// <summary>
    /// A user-defined activation. Give <paramref name="derivative"/> to enable the structured NTK and the analytic
    /// kernels (by quadrature); give <paramref name="closedForm"/> when T and TDot are known exactly.
    /// </summary>
    public static Activation Custom(string name, Func<Tensor, Tensor> apply, Func<Tensor, Tensor>? derivative = null,
        GaussianExpectations? closedForm = null) => new(name, apply, derivative, closedForm);

    static (Tensor, Tensor) ReluExpectations(Tensor k11, Tensor k12, Tensor k22)
    {
        // theta = angle between the two inputs' features. atan2(sqrt(det), k12) is exact at theta = 0 (a point with
        // itself), where arccos(k12 / sqrt(k11 k22)) loses half the digits to rounding of the ratio.
        // T = sqrt(k11 k22)/(2 pi) (sin theta + (pi - theta) cos theta) = (sqrt(det) + (pi - theta) k12) / (2 pi),
        // TDot = (pi - theta) / (2 pi). In place where possible: this runs on every pair of every layer.
        // Not addcmul: a fused multiply-add leaves det = +-1e-16 for a point with itself instead of exactly 0.
        using var square = k12.square();
        var sqrtDet = Broadcast(k11 * k22, k12).sub_(square).clamp_min_(0).sqrt_();
        var tDot = atan2(sqrtDet, k12).mul_(-0.5 / Math.PI).add_(0.5);
        var t = sqrtDet.mul_(0.5 / Math.PI).addcmul_(tDot, k12, 1);
        return (t, tDot);
    }

    // a, expanded to the shape it has when broadcast against b (a copy only when it is smaller), to work on in place.
    static Tensor Broadcast(Tensor a, Tensor b)
    {
        var shape = broadcast_shapes(a.shape, b.shape);
        return a.shape.SequenceEqual(shape) ? a : a.expand(shape).contiguous();
    }

    static (Tensor, Tensor) ErfExpectations(Tensor k11, Tensor k12, Tensor k22)
    {
        var denominator = (1 + 2 * k11) * (1 + 2 * k22);
        var t = (2 * k12 / denominator.sqrt()).clamp(-1.0, 1.0).arcsin() * (2 / Math.PI);
        var tDot = (4 / Math.PI) / (denominator - 4 * k12.square()).sqrt();
        return (t, tDot);
    }
}
