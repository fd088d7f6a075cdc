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
}
