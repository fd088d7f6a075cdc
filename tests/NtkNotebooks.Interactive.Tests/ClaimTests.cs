namespace NtkNotebooks.Interactive.Tests;

public class ClaimTests
{
    [Fact]
    public void Claims_PassInBoundsAndThrowOutOfBounds()
    {
        Assert.Contains("0.01", Claim.AtMost("error", 0.01, 0.05));
        Assert.Contains("expected <= 0.05", Assert.Throws<ClaimFailedException>(() => Claim.AtMost("error", 0.2, 0.05)).Message);
        Assert.Throws<ClaimFailedException>(() => Claim.Between("slope", -0.1, -0.7, -0.3));
        Assert.Throws<ClaimFailedException>(() => Claim.AtLeast("accuracy", double.NaN, 0.9));
        Claim.Between("slope", -0.5, -0.7, -0.3);
    }
}
