using MathNet.Numerics.Integration;
using MathNet.Numerics.LinearAlgebra;
using NtkNotebooks.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace NtkNotebooks.Kernels;

/// <summary>
/// T = E[phi(u) phi(v)] and TDot = E[phi'(u) phi'(v)] for (u, v) ~ N(0, [[k11, k12], [k12, k22]]) by two-dimensional
/// Gaussian quadrature, for any activation (PAPER.md "Kernels": tanh and others without a closed form).
/// </summary>
/// <remarks>
/// A plain tensor-product Gauss-Hermite rule converges only algebraically when phi or phi' has a kink (ReLU's
/// step-function derivative gives errors near 1e-2). So the Gaussian integral is taken in polar form:
/// with u = sqrt(k11) r cos(a), v = sqrt(k22) r (c cos(a) + s sin(a)), c = k12 / sqrt(k11 k22), s = sqrt(1 - c^2),
/// <code>E[F] = 1/(2 pi) int_0^pi da int_0^inf r exp(-r^2/2) [F(r, a) + F(-r, a)] dr</code>
/// The radial part is a generalised Gauss-Hermite rule (weight |r| exp(-r^2/2); in s = r^2/2 it is Gauss-Laguerre),
/// exact for the homogeneous ReLU family and spectrally accurate for smooth phi, whose even part is smooth in r^2.
/// The angular part is Gauss-Legendre on the three arcs between the angles where u = 0 or v = 0, so that kinks
/// of phi at 0 fall on arc ends. MathNet.Numerics supplies the Legendre rule and the eigen-solver of the
/// Golub-Welsch construction of the Laguerre rule; TorchSharp evaluates phi on all nodes of all pairs at once.
/// </remarks>
public sealed class GaussianQuadrature
{
    readonly double[] _angleNodes, _angleWeights, _radii, _radialWeights;

    /// <param name="angularNodes">Gauss-Legendre nodes per arc (3 arcs).</param>
    /// <param name="radialNodes">Generalised Gauss-Hermite (Laguerre) nodes.</param>
    public GaussianQuadrature(int angularNodes = 32, int radialNodes = 32)
    {
        if (angularNodes is < 2 or > 256) throw new ArgumentOutOfRangeException(nameof(angularNodes), angularNodes, "Expected 2..256 nodes.");
        if (radialNodes is < 2 or > 128) throw new ArgumentOutOfRangeException(nameof(radialNodes), radialNodes, "Expected 2..128 nodes.");
        var legendre = new GaussLegendreRule(-1.0, 1.0, angularNodes);
        _angleNodes = legendre.Abscissas;
        _angleWeights = legendre.Weights;
        (var s, _radialWeights) = GaussLaguerre(radialNodes);
        _radii = s.Select(x => Math.Sqrt(2 * x)).ToArray();
        AngularNodes = angularNodes;
        RadialNodes = radialNodes;
    }

    /// <summary>Gauss-Legendre nodes per arc.</summary>
    public int AngularNodes { get; }
    /// <summary>Radial nodes.</summary>
    public int RadialNodes { get; }

    /// <summary>The default rule (32 x 3 angular, 32 radial nodes): better than 1e-10 for ReLU and erf at moderate variances.</summary>
    public static GaussianQuadrature Default { get; } = new();

    /// <summary>T and TDot elementwise; the three arguments broadcast to one shape; float64.</summary>
    public (Tensor T, Tensor TDot) Expectations(Activation activation, Tensor k11, Tensor k12, Tensor k22)
    {
        ArgumentNullException.ThrowIfNull(activation);
        var derivative = activation.RequireDerivative("the analytic NTK (TDot)");
        var shape = broadcast_tensors(k11, k12, k22)[0].shape;
        using var scope = NewDisposeScope();
        var device = k12.device;
        var a = k11.to(float64).broadcast_to(shape).flatten();
        var b = k12.to(float64).broadcast_to(shape).flatten();
        var d = k22.to(float64).broadcast_to(shape).flatten();
        var t = empty_like(b);
        var tDot = empty_like(b);

        var nodesPerPair = 3L * AngularNodes * RadialNodes;
        var chunk = Math.Max(1L, 4_000_000L / nodesPerPair);
        var xi = tensor(_angleNodes, float64, device);
        var wa = tensor(_angleWeights, float64, device);
        var r = tensor(_radii, float64, device);
        var wr = tensor(_radialWeights, float64, device);
        for (long p0 = 0; p0 < b.shape[0]; p0 += chunk)
        {
            using var inner = NewDisposeScope();
            var p1 = Math.Min(b.shape[0], p0 + chunk);
            var (tc, tdc) = Chunk(activation.Apply, derivative, a.narrow(0, p0, p1 - p0), b.narrow(0, p0, p1 - p0), d.narrow(0, p0, p1 - p0), xi, wa, r, wr);
            t.narrow(0, p0, p1 - p0).copy_(tc);
            tDot.narrow(0, p0, p1 - p0).copy_(tdc);
        }
        return (t.reshape(shape).MoveToOuterDisposeScope(), tDot.reshape(shape).MoveToOuterDisposeScope());
    }

    static (Tensor, Tensor) Chunk(Func<Tensor, Tensor> phi, Func<Tensor, Tensor> phiPrime, Tensor k11, Tensor k12, Tensor k22,
        Tensor xi, Tensor wa, Tensor r, Tensor wr)
    {
        var su = k11.clamp_min(0).sqrt();
        var sv = k22.clamp_min(0).sqrt();
        var norm = su * sv;
        // c = cos, s = sin of the angle between the inputs; s from the determinant is exact for a point with itself.
        var c = where(norm > 0, k12 / norm, zeros_like(norm)).clamp(-1.0, 1.0);
        var s = where(norm > 0, (k11 * k22 - k12.square()).clamp_min(0).sqrt() / norm, ones_like(norm)).clamp(0.0, 1.0);

        // Arcs of [0, pi) split where u = 0 (a = pi/2) and where v = 0 (c cos a + s sin a = 0).
        var kinkV = atan2(-c, s).remainder(Math.PI);
        var kinkU = full_like(kinkV, Math.PI / 2);
        var lo = minimum(kinkU, kinkV);
        var hi = maximum(kinkU, kinkV);
        var starts = stack([zeros_like(lo), lo, hi], 1);                 // [P, 3]
        var lengths = stack([lo, hi - lo, Math.PI - hi], 1);            // [P, 3]
        var angles = starts.unsqueeze(-1) + lengths.unsqueeze(-1) * (xi + 1) / 2;   // [P, 3, Qa]
        var angleWeights = (lengths.unsqueeze(-1) / 2 * wa).unsqueeze(-1);         // [P, 3, Qa, 1]

        var cos = angles.cos().unsqueeze(-1);
        var dirV = (c.view(-1, 1, 1) * angles.cos() + s.view(-1, 1, 1) * angles.sin()).unsqueeze(-1);
        var u = su.view(-1, 1, 1, 1) * cos * r;                        // [P, 3, Qa, Qr]
        var v = sv.view(-1, 1, 1, 1) * dirV * r;
        var f = phi(u) * phi(v) + phi(-u) * phi(-v);
        var fDot = phiPrime(u) * phiPrime(v) + phiPrime(-u) * phiPrime(-v);
        var weights = angleWeights * wr / (2 * Math.PI);
        return ((f * weights).sum([1, 2, 3]), (fDot * weights).sum([1, 2, 3]));
    }

    /// <summary>Gauss-Laguerre nodes and weights for weight exp(-s) on [0, inf), by Golub-Welsch.</summary>
    internal static (double[] Nodes, double[] Weights) GaussLaguerre(int n)
    {
        var jacobi = Matrix<double>.Build.Dense(n, n);
        for (var i = 0; i < n; i++)
        {
            jacobi[i, i] = 2 * i + 1;
            if (i + 1 < n) jacobi[i, i + 1] = jacobi[i + 1, i] = i + 1;
        }
        var evd = jacobi.Evd(Symmetricity.Symmetric);
        var nodes = new double[n];
        var weights = new double[n];
        for (var i = 0; i < n; i++)
        {
            nodes[i] = evd.EigenValues[i].Real;
            weights[i] = evd.EigenVectors[0, i] * evd.EigenVectors[0, i];
        }
        return (nodes, weights);
    }
}
