using System.Globalization;
using static TorchSharp.torch;

namespace NtkNotebooks.Benchmarks.DeviceCheck;

/// <summary>
/// How far a result computed on the device may be from the CPU's, as a bound on the scaled max error
/// max|device - CPU| / max|CPU|, and the reasoning behind it (printed in the report next to the number).
/// </summary>
/// <remarks>
/// Most bounds have the form c n u A: a reduction of n terms (a dot product, a sum) in floating point with unit round-off
/// u is off by at most about n u times the sum of the magnitudes of its terms (Higham, Accuracy and Stability of
/// Numerical Algorithms, Sec 3.1); two devices that sum in different orders (cuBLAS and cuDNN block their reductions
/// differently from the CPU's kernels) differ by up to twice that. Errors of successive stages add, so n is the total
/// length of the reductions along the computation. Typical errors are about sqrt(n) u, so c n u leaves a margin of
/// sqrt(n) on top of the constant c. A is the amplification of the algorithm's backward error by the mathematics
/// (a condition number, a Lipschitz constant of a matrix function), 1 for a plain forward computation.
/// u is 2^-52 for float64 and 2^-24 for float32, as the issue states the bounds.
/// </remarks>
/// <param name="Value">The largest accepted scaled max error.</param>
/// <param name="Bound">The formula and its ingredients, e.g. "4·n·2^-24, n = 1168 (forward path)".</param>
public sealed record Tolerance(double Value, string Bound)
{
    /// <summary>The constant c of most bounds: 2 for two devices' independent errors, 2 for slack in the constants of the a-priori bounds.</summary>
    public const double DefaultConstant = 4;

    /// <summary>u as the issue states it: 2^-52 for float64, 2^-24 for float32.</summary>
    public static double UnitRoundOff(ScalarType dtype) => dtype == ScalarType.Float32 ? Math.ScaleB(1, -24) : Math.ScaleB(1, -52);

    /// <summary>
    /// c n u A: <paramref name="n"/> terms of reduction in <paramref name="dtype"/>, amplified by <paramref name="amplification"/>
    /// (named by <paramref name="amplifiedBy"/>); <paramref name="what"/> says where n comes from.
    /// </summary>
    public static Tolerance RoundOff(ScalarType dtype, double n, string what, double amplification = 1, string? amplifiedBy = null,
        double c = DefaultConstant)
    {
        var exponent = dtype == ScalarType.Float32 ? 24 : 52;
        var value = c * n * UnitRoundOff(dtype) * amplification;
        var amplified = amplification == 1 ? "" : $"·A, A = {Number(amplification)} ({amplifiedBy ?? "amplification"})";
        return new Tolerance(value, $"{Number(c)}·n·2^-{exponent}{amplified}, n = {Number(n)} ({what})");
    }

    /// <summary>Zero: the device must reproduce the CPU's bits (values made on the host and copied, or discrete outcomes).</summary>
    public static Tolerance Exact(string why) => new(0, "exact: " + why);

    /// <summary>A fixed bound that is not a round-off count (e.g. an ODE solver's own error control).</summary>
    public static Tolerance Fixed(double value, string why) => new(value, why);

    /// <summary>Errors of two stages add: the sum of both bounds.</summary>
    public Tolerance Plus(Tolerance other) => new(Value + other.Value, Bound + " + " + other.Bound);

    /// <summary>The same bound scaled by <paramref name="factor"/> (e.g. the cancellation of a difference of larger terms).</summary>
    public Tolerance Times(double factor, string why) => new(Value * factor, $"({Bound})·{Number(factor)} ({why})");

    static string Number(double value) => value.ToString(value >= 1e4 || value < 1e-3 ? "0.##e+0" : "0.###", CultureInfo.InvariantCulture);
}
