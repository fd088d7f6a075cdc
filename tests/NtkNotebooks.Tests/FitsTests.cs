namespace NtkNotebooks.Tests;

public class FitsTests
{
    [Fact]
    public void LogLogSlope_RecoversAnExactPowerLaw()
    {
        double[] x = [16, 64, 256, 1024];
        Assert.Equal(-0.5, Fits.LogLogSlope(x, x.Select(v => 3 / Math.Sqrt(v)).ToArray()), 12);
        Assert.Throws<ArgumentOutOfRangeException>(() => Fits.LogLogSlope([1, 2], [1, 0]));
        Assert.Throws<ArgumentException>(() => Fits.LogLogSlope([1, 2], [1]));
    }

    [Fact]
    public void PowerLaw_RecoversTheExponent_AndItsBootstrapErrorMatchesTheSpreadOverIndependentExperiments()
    {
        // y = 2 x^-1/2 (1 + noise) with 16 runs per x: the exponent's spread over 400 independent experiments is the
        // truth the bootstrap standard error estimates (with 16 runs it is biased low by about sqrt(15/16); the
        // comparison allows 25 %, well above the bootstrap's own scatter of about 1/sqrt(2 * 16) ~ 18 % per experiment
        // averaged over 20 experiments).
        double[] x = [16, 64, 256, 1024];
        var random = new Random(3);
        double Noise() => 0.2 * (random.NextDouble() - 0.5) * Math.Sqrt(12); // mean 0, std 0.2
        PowerLawFit Experiment() => Fits.PowerLaw(x, x.Select(v => (IReadOnlyList<double>)Enumerable.Range(0, 16)
            .Select(_ => 2 / Math.Sqrt(v) * (1 + Noise())).ToArray()).ToArray(), resamples: 400);
        var fits = Enumerable.Range(0, 400).Select(_ => Experiment()).ToArray();
        var exponents = fits.Select(f => f.Exponent).ToArray();
        var spread = Math.Sqrt(exponents.Sum(p => (p - exponents.Average()) * (p - exponents.Average())) / (exponents.Length - 1));
        Assert.Equal(-0.5, exponents.Average(), 3 * spread / Math.Sqrt(exponents.Length) + 1e-3);
        var meanSe = fits.Take(20).Average(f => f.StandardError);
        Assert.InRange(meanSe / spread, 0.75, 1.25);
        Assert.Equal(fits[0].Averages[2], fits[0].At(256), 0.2 * fits[0].At(256));
    }

    [Fact]
    public void PowerLaw_AveragesRunsAsAsked_AndIsExactWithoutNoise()
    {
        double[] x = [1, 4];
        IReadOnlyList<double>[] runs = [[1, 4], [0.5, 2]];  // at each x, runs differ by 4x but the ratio between x is 1/2
        foreach (var average in Enum.GetValues<RunAverage>())
        {
            var fit = Fits.PowerLaw(x, runs, average);
            Assert.Equal(-0.5, fit.Exponent, 12);
        }
        Assert.Equal(2.5, Fits.PowerLaw(x, runs, RunAverage.Mean).Averages[0], 12);
        Assert.Equal(2.0, Fits.PowerLaw(x, runs, RunAverage.GeometricMean).Averages[0], 12);
        Assert.Equal(Math.Sqrt(8.5), Fits.PowerLaw(x, runs, RunAverage.RootMeanSquare).Averages[0], 12);
        IReadOnlyList<double>[] exact = [[3, 3, 3], [1.5, 1.5, 1.5]];
        Assert.Equal(0, Fits.PowerLaw(x, exact).StandardError, 12);
        Assert.Contains("at least 2 runs", Assert.Throws<ArgumentException>(() => Fits.PowerLaw(x, [[1], [2, 3]])).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Fits.PowerLaw(x, [[1, -1], [2, 3]]));
    }

    [Fact]
    public void Bootstrap_StandardErrorOfAMean_IsTheClassicalOne()
    {
        // For the mean of n values the bootstrap SE is sqrt((n-1)/n) s / sqrt(n), up to its Monte Carlo error
        // (about 1/sqrt(2 B) = 1.6 % at B = 2000; 5 % allows 3 of those).
        var random = new Random(1);
        var values = Enumerable.Range(0, 50).Select(_ => random.NextDouble()).ToArray();
        var mean = values.Average();
        var s = Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Length - 1));
        var classical = Math.Sqrt(49.0 / 50) * s / Math.Sqrt(50);
        var se = Bootstrap.StandardError(values.Length, pick => pick.Average(i => values[i]));
        Assert.InRange(se / classical, 0.95, 1.05);
        Assert.Equal(se, Bootstrap.StandardError(values.Length, pick => pick.Average(i => values[i])), 15); // seeded

        var (low, high) = Bootstrap.Interval(Bootstrap.Resample(values.Length, pick => pick.Average(i => values[i])), 0.95);
        Assert.InRange((high - low) / (2 * 1.96 * classical), 0.9, 1.1);
        Assert.Contains("replicate", Assert.Throws<ArgumentException>(() =>
            Bootstrap.StandardError(3, pick => 1.0 / (pick.Distinct().Count() - 1))).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Bootstrap.Resample([5, 1], picks => 0.0));
    }

    [Fact]
    public void MeanAndStandardError_IsSOverRootN()
    {
        // Values 1..4: mean 2.5, sample variance 5/3, so SE = sqrt(5/3 / 4).
        var (mean, se) = Fits.MeanAndStandardError([1, 2, 3, 4]);
        Assert.Equal(2.5, mean, 14);
        Assert.Equal(Math.Sqrt(5.0 / 12), se, 14);
        Assert.Contains("at least 2", Assert.Throws<ArgumentException>(() => Fits.MeanAndStandardError([1])).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Fits.MeanAndStandardError([1, double.NaN]));
    }
}
