using TorchSharp;
using static TorchSharp.torch;

namespace NtkNotebooks;

/// <summary>
/// The Dormand-Prince 5(4) adaptive Runge-Kutta method ("dopri5", the integrator the paper's authors used for the
/// cross-entropy dynamics, S5-S11) for y' = F(t, y) on float64 tensors: fifth-order steps, the embedded fourth-order
/// solution for the error estimate, step-size control on max |err| / (atol + rtol |y|), first-same-as-last.
/// Written here because MathNet.Numerics' ODE solvers have no adaptive step control.
/// </summary>
public static class DormandPrince
{
    static readonly double[] C = [0, 1.0 / 5, 3.0 / 10, 4.0 / 5, 8.0 / 9, 1, 1];
    static readonly double[][] A =
    [
        [],
        [1.0 / 5],
        [3.0 / 40, 9.0 / 40],
        [44.0 / 45, -56.0 / 15, 32.0 / 9],
        [19372.0 / 6561, -25360.0 / 2187, 64448.0 / 6561, -212.0 / 729],
        [9017.0 / 3168, -355.0 / 33, 46732.0 / 5247, 49.0 / 176, -5103.0 / 18656],
        [35.0 / 384, 0, 500.0 / 1113, 125.0 / 192, -2187.0 / 6784, 11.0 / 84],
    ];
    static readonly double[] B5 = [35.0 / 384, 0, 500.0 / 1113, 125.0 / 192, -2187.0 / 6784, 11.0 / 84, 0];
    static readonly double[] B4 = [5179.0 / 57600, 0, 7571.0 / 16695, 393.0 / 640, -92097.0 / 339200, 187.0 / 2100, 1.0 / 40];

    /// <summary>
    /// Integrates from y(0) = <paramref name="y0"/> and returns y at each of <paramref name="times"/> (non-decreasing,
    /// &gt;= 0). Steps never jump over a requested time. Throws with the time reached when the step size underflows or
    /// F returns NaN/Inf.
    /// </summary>
    public static IReadOnlyList<Tensor> Solve(Func<double, Tensor, Tensor> f, Tensor y0, IReadOnlyList<double> times,
        double relativeTolerance = 1e-8, double absoluteTolerance = 1e-10, int maxSteps = 1_000_000)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(y0);
        ArgumentNullException.ThrowIfNull(times);
        Guard.Positive(relativeTolerance, nameof(relativeTolerance));
        Guard.Positive(absoluteTolerance, nameof(absoluteTolerance));
        for (var i = 0; i < times.Count; i++)
        {
            if (!(times[i] >= 0) || double.IsInfinity(times[i]) || (i > 0 && times[i] < times[i - 1]))
                throw new ArgumentException($"times must be finite, >= 0 and non-decreasing; times[{i}] = {times[i]}.", nameof(times));
        }

        var results = new List<Tensor>(times.Count);
        var y = y0.to(float64).clone();
        double t = 0;
        var k1 = Derivative(f, t, y);
        var h = InitialStep(y, k1, relativeTolerance, absoluteTolerance, times.Count > 0 ? times[^1] : 1);
        var steps = 0;
        foreach (var target in times)
        {
            while (t < target)
            {
                if (++steps > maxSteps) throw new ArithmeticException($"dopri5 took more than {maxSteps} steps before t = {target} (reached t = {t:G6}).");
                var step = Math.Min(h, target - t);
                if (step < 1e-14 * Math.Max(1, Math.Abs(t))) throw new ArithmeticException($"dopri5 step size underflow at t = {t:G6}: the problem is too stiff for the tolerances.");
                var k = new Tensor[7];
                k[0] = k1;
                for (var s = 1; s < 7; s++)
                {
                    var stage = y.clone();
                    for (var j = 0; j < s; j++)
                        if (A[s][j] != 0) stage.add_(k[j], alpha: step * A[s][j]);
                    k[s] = Derivative(f, t + C[s] * step, stage);
                }
                var y5 = y.clone();
                var error = zeros_like(y);
                for (var s = 0; s < 7; s++)
                {
                    if (B5[s] != 0) y5.add_(k[s], alpha: step * B5[s]);
                    error.add_(k[s], alpha: step * (B5[s] - B4[s]));
                }
                var scale = absoluteTolerance + relativeTolerance * maximum(y.abs(), y5.abs());
                var norm = (error / scale).abs().max().item<double>();
                if (norm <= 1)
                {
                    t += step;
                    y = y5;
                    k1 = k[6]; // first same as last
                }
                h = step * Math.Clamp(0.9 * Math.Pow(Math.Max(norm, 1e-10), -0.2), 0.2, 5.0);
            }
            results.Add(y.clone());
        }
        return results;
    }

    static Tensor Derivative(Func<double, Tensor, Tensor> f, double t, Tensor y)
    {
        var d = f(t, y);
        if (!d.shape.SequenceEqual(y.shape)) throw new ArgumentException($"F returned shape {Guard.Shape(d)} for a state of shape {Guard.Shape(y)}.");
        return Guard.CheckFinite(d.to(float64), $"the ODE right-hand side at t = {t:G6}");
    }

    // Hairer, Norsett & Wanner's starting-step heuristic (first-order estimate), capped by the horizon.
    static double InitialStep(Tensor y, Tensor dy, double rtol, double atol, double horizon)
    {
        var scale = atol + rtol * y.abs();
        var d0 = (y / scale).square().mean().sqrt().item<double>();
        var d1 = (dy / scale).square().mean().sqrt().item<double>();
        var h = d0 < 1e-5 || d1 < 1e-5 ? 1e-6 : 0.01 * d0 / d1;
        return Math.Min(h, Math.Max(horizon, 1e-6));
    }
}
