using static TorchSharp.torch;

namespace NtkNotebooks.Data;

/// <summary>Small synthetic inputs generated in code, for figures that need a geometry rather than real data.</summary>
public static class Synthetic
{
    /// <summary>
    /// <paramref name="count"/> equally spaced points x(gamma) = (cos gamma, sin gamma) on the unit circle,
    /// gamma = 2 pi i / count: [count, 2] float64. On unit-norm inputs the kernels of a fully connected network depend
    /// only on the angle between two points, which makes their structure easy to see.
    /// </summary>
    public static (Tensor X, double[] AnglesDegrees) UnitCircle(int count)
    {
        Guard.Positive(count, nameof(count));
        var gamma = Enumerable.Range(0, count).Select(i => 2 * Math.PI * i / count).ToArray();
        var x = tensor(gamma.SelectMany(g => new[] { Math.Cos(g), Math.Sin(g) }).ToArray(), [count, 2], float64);
        return (x, gamma.Select(g => g * 180 / Math.PI).ToArray());
    }
}
