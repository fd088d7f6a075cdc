using System.CommandLine;
using NtkNotebooks.Benchmarks;
using NtkNotebooks.Benchmarks.DeviceCheck;

var quick = new Option<bool>("--quick") { Description = "Small sizes that exercise every case in a minute or two (development)." };
var scale = new Option<bool>("--scale") { Description = "Also run the scale cases: analytic NTK on N = 20 000, empirical NTK on N = 5 000 (minutes, ~10 GB)." };
var noPeer = new Option<bool>("--no-peer") { Description = "Do not run (or install) the Python peer." };
var threads = new Option<int>("--threads")
{
    Description = "Threads for TorchSharp and the peer.",
    DefaultValueFactory = _ => Environment.ProcessorCount,
};
var budget = new Option<double?>("--budget-seconds")
{
    Description = "Timed seconds per case after which a slow case stops at 3 runs (default 30; 2 with --quick). " +
        "With --device: at 5 runs (default 10; 1 with --quick).",
};
var only = new Option<string[]>("--only")
{
    Description = "Run only these case groups (default: all): empirical, analytic, closed-form, training.",
    AllowMultipleArgumentsPerToken = true,
};
var groupNames = BenchmarkCommand.CaseGroups.Select(g => g.Name).ToArray();
only.AcceptOnlyFromAmong(groupNames);
var output = new Option<string?>("--output", "-o")
{
    Description = "Markdown report path (default .artifacts/benchmarks/results.md, results-quick.md with --quick; gpu-check.md with --device).",
};
var device = new Option<string?>("--device")
{
    Description = "Run the GPU check on this device (cpu, cuda or cuda:N) instead of the CPU benchmark: every public API on the device " +
        "against the CPU, then timings against torch.func on the same device. --scale and --only do not apply.",
};
var python = new Option<string?>("--python") { Description = "The --device check's peer interpreter (default: python3 on PATH; never installed)." };

var root = new RootCommand(
    "Benchmarks the NtkNotebooks kernels (empirical NTK, analytic NTK, closed-form prediction, training step) against a " +
    "PyTorch/NumPy peer run on the same inputs, weights and threads, and reports times, ratios, achieved GFLOP/s and errors.")
{
    quick, scale, noPeer, threads, budget, only, output, device, python,
};
root.SetAction(parse =>
{
    var isQuick = parse.GetValue(quick);
    var threadCount = parse.GetValue(threads);
    if (threadCount < 1)
    {
        Console.Error.WriteLine("error: --threads must be at least 1.");
        return 2;
    }
    if (parse.GetValue(device) is { } deviceName)
    {
        var report = parse.GetValue(output) ?? Path.Combine(RepositoryRoot(), ".artifacts", "benchmarks", "gpu-check.md");
        return DeviceCheckCommand.Run(new DeviceCheckOptions(deviceName, isQuick, !parse.GetValue(noPeer), parse.GetValue(python), threadCount,
            parse.GetValue(budget) ?? (isQuick ? 1 : 10), report));
    }
    var path = parse.GetValue(output) ?? Path.Combine(RepositoryRoot(), ".artifacts", "benchmarks", isQuick ? "results-quick.md" : "results.md");
    var options = new BenchmarkOptions(isQuick, parse.GetValue(scale), !parse.GetValue(noPeer), threadCount,
        parse.GetValue(budget) ?? (isQuick ? 2 : 30), path, parse.GetValue(only) is { Length: > 0 } groups ? groups : groupNames);
    return BenchmarkCommand.Run(options);
});
return root.Parse(args).Invoke();

// The folder holding NtkNotebooks.sln at or above the working directory (else the working directory).
static string RepositoryRoot()
{
    for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "NtkNotebooks.sln"))) return dir.FullName;
    }
    return Directory.GetCurrentDirectory();
}
