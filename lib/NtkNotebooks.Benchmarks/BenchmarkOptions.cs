namespace NtkNotebooks.Benchmarks;

/// <summary>The command line of one benchmark run.</summary>
/// <param name="Quick">Small sizes (development).</param>
/// <param name="Scale">Also run the scale cases (analytic NTK on N = 20 000, empirical NTK on N = 5 000).</param>
/// <param name="Peer">Run the Python peer (installing it when missing).</param>
/// <param name="Threads">Threads for TorchSharp and the peer.</param>
/// <param name="BudgetSeconds">Timed seconds after which a slow case stops repeating (at 3 runs).</param>
/// <param name="Output">Where to write the Markdown report.</param>
/// <param name="Only">The case groups to run (names from <see cref="BenchmarkCommand.CaseGroups"/>).</param>
public sealed record BenchmarkOptions(bool Quick, bool Scale, bool Peer, int Threads, double BudgetSeconds, string Output, string[] Only);
