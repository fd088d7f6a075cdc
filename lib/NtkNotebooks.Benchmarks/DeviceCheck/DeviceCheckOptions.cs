namespace NtkNotebooks.Benchmarks.DeviceCheck;

/// <summary>The command line of a device check (<c>--device</c>).</summary>
/// <param name="Device">"cpu", "cuda" or "cuda:N".</param>
/// <param name="Quick">Small timing sizes (a CPU smoke test in about a minute).</param>
/// <param name="Peer">Run the torch.func peer when a Python with PyTorch is found.</param>
/// <param name="Python">The peer's interpreter; null for python3 on PATH.</param>
/// <param name="Threads">CPU threads for TorchSharp (the CPU reference) and the peer.</param>
/// <param name="BudgetSeconds">Timed seconds after which a slow case stops at the minimum of 5 runs.</param>
/// <param name="Output">Where to write the Markdown report.</param>
public sealed record DeviceCheckOptions(string Device, bool Quick, bool Peer, string? Python, int Threads, double BudgetSeconds, string Output);
