using static TorchSharp.torch;

namespace NtkNotebooks.Data;

/// <summary>
/// Small synthetic inputs generated in code, for figures that need a geometry rather than real data. Float64, on the
/// device given (default the CPU).
/// </summary>
public static class Synthetic
{
    /// <summary>
    /// <paramref name="count"/> equally spaced points x(gamma) = (cos gamma, sin gamma) on the unit circle,
    /// gamma = 2 pi i / count: [count, 2] float64. On unit-norm inputs the kernels of a fully connected network depend
    /// only on the angle between two points, which makes their structure easy to see.
    /// </summary>
    public static (Tensor X, double[] AnglesDegrees) UnitCircle(int count, Device? device = null)
    {
        Guard.Positive(count, nameof(count));
        var gamma = Enumerable.Range(0, count).Select(i => 2 * Math.PI * i / count).ToArray();
        var x = tensor(gamma.SelectMany(g => new[] { Math.Cos(g), Math.Sin(g) }).ToArray(), [count, 2], float64, device);
        return (x, gamma.Select(g => g * 180 / Math.PI).ToArray());
    }

    /// <summary>
    /// A 1-D regression task on the unit circle: <paramref name="count"/> angles gamma drawn uniformly (seeded),
    /// inputs x = (cos gamma, sin gamma), targets y = sin(<paramref name="frequency"/> gamma) [count, 1].
    /// </summary>
    public static Dataset CircleRegression(int count, int frequency = 2, long seed = 0, Device? device = null)
    {
        Guard.Positive(count, nameof(count));
        var random = new Random((int)seed);
        var gamma = Enumerable.Range(0, count).Select(_ => 2 * Math.PI * random.NextDouble()).ToArray();
        var x = tensor(gamma.SelectMany(g => new[] { Math.Cos(g), Math.Sin(g) }).ToArray(), [count, 2], float64, device);
        var y = tensor(gamma.Select(g => Math.Sin(frequency * g)).ToArray(), [count, 1], float64, device);
        return new Dataset(x, y, new int[count]);
    }

    /// <summary>
    /// The interpolation path of Figure 2, x(a) = a x1 + (1 - a) x2, at <paramref name="points"/> equally spaced a in
    /// [<paramref name="from"/>, <paramref name="to"/>]: x(1) = x1, x(0) = x2. Returns the inputs [points, d] and the a values.
    /// </summary>
    public static (Tensor X, double[] A) InterpolationPath(Tensor x1, Tensor x2, double from = -2, double to = 3, int points = 51)
    {
        ArgumentNullException.ThrowIfNull(x1);
        ArgumentNullException.ThrowIfNull(x2);
        if (!x1.shape.SequenceEqual(x2.shape) || x1.dim() != 1)
            throw new ArgumentException($"x1 and x2 must be vectors of the same length; got {Guard.Shape(x1)} and {Guard.Shape(x2)}.", nameof(x2));
        if (points < 2) throw new ArgumentOutOfRangeException(nameof(points), points, "Expected at least 2 points.");
        if (!(to > from)) throw new ArgumentOutOfRangeException(nameof(to), to, $"Expected to > from = {from}.");
        var a = Enumerable.Range(0, points).Select(i => from + (to - from) * i / (points - 1)).ToArray();
        Guard.SameDevice((x1, nameof(x1)), (x2, nameof(x2)));
        var weights = tensor(a, float64, x1.device).unsqueeze(1);
        return (weights * x1.to(float64) + (1 - weights) * x2.to(float64), a);
    }
}
