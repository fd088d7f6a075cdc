using System.Globalization;

namespace NtkNotebooks;

/// <summary>A notebook's claim did not hold: the measured value is outside the bound the paper predicts.</summary>
public sealed class ClaimFailedException(string message) : Exception(message);

/// <summary>
/// The last cell of every notebook checks the notebook's claim with these: each measures a number, prints it next to
/// its bound, and throws <see cref="ClaimFailedException"/> when it is out of bounds, so a broken result fails the run.
/// </summary>
public static class Claim
{
    /// <summary>Claims <paramref name="measured"/> &lt;= <paramref name="bound"/>.</summary>
    public static string AtMost(string quantity, double measured, double bound) =>
        Check(quantity, measured, measured <= bound, $"<= {Format(bound)}");

    /// <summary>Claims <paramref name="measured"/> &gt;= <paramref name="bound"/>.</summary>
    public static string AtLeast(string quantity, double measured, double bound) =>
        Check(quantity, measured, measured >= bound, $">= {Format(bound)}");

    /// <summary>Claims <paramref name="low"/> &lt;= <paramref name="measured"/> &lt;= <paramref name="high"/>.</summary>
    public static string Between(string quantity, double measured, double low, double high) =>
        Check(quantity, measured, measured >= low && measured <= high, $"in [{Format(low)}, {Format(high)}]");

    static string Check(string quantity, double measured, bool holds, string expectation)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(quantity);
        var line = $"{quantity} = {Format(measured)}, expected {expectation}";
        if (double.IsNaN(measured) || !holds) throw new ClaimFailedException("Claim failed: " + line);
        Console.WriteLine("Claim holds: " + line);
        return line;
    }

    static string Format(double value) => value.ToString("G4", CultureInfo.InvariantCulture);
}
