namespace NtkNotebooks.Benchmarks.DeviceCheck;

/// <summary>One line of the correctness table: an API computed on the device against the same call on the CPU.</summary>
/// <param name="Api">What was called, e.g. "StructuredNtk.Compute (float32, Mean)".</param>
/// <param name="Device">The device it ran on ("cuda:0", or "cpu" for a CPU-against-CPU smoke run).</param>
/// <param name="MaxRelativeError">Largest scaled max error max|device - CPU| / max|CPU| over the call's results; null when it did not run.</param>
/// <param name="Tolerance">The accepted error and its justification.</param>
/// <param name="Failure">Why the row failed besides the number: an exception, a result on the wrong device, a shape mismatch.</param>
public sealed record ComparisonRow(string Api, string Device, double? MaxRelativeError, Tolerance Tolerance, string? Failure)
{
    /// <summary>Ran, returned every tensor on the inputs' device, and is within the tolerance (NaN never is).</summary>
    public bool Passed => Failure is null && MaxRelativeError is { } error && error <= Tolerance.Value;
}
