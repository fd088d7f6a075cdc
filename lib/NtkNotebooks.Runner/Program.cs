using System.CommandLine;
using NtkNotebooks.Runner;
using NtkNotebooks.Runner.Site;

// Keep the real stdout: while a cell runs, .NET Interactive redirects Console.Out into the cell's outputs.
var stdout = Console.Out;

var notebooks = new Argument<string[]>("notebooks")
{
    Description = "Notebooks to run (default: every notebooks/*.ipynb, in order).",
    Arity = ArgumentArity.ZeroOrMore,
};
var output = new Option<string?>("--output", "-o") { Description = "Folder for executed notebooks and the summary (default: .artifacts/notebooks)." };
var paperSizes = new Option<bool>("--paper-sizes") { Description = "Run the paper's sizes (Course.PaperSizes = true): needs a GPU and, for some notebooks, hours." };
var device = new Option<string?>("--device")
{
    Description = "Course.Device for every notebook: cpu, cuda or cuda:N (sets NTK_DEVICE; default: CUDA when TorchSharp sees a GPU, else the CPU).",
};
device.Validators.Add(result =>
{
    if (result.GetValueOrDefault<string?>() is { } value && !System.Text.RegularExpressions.Regex.IsMatch(value, "^(cpu|cuda|cuda:[0-9]+)$"))
        result.AddError($"--device must be cpu, cuda or cuda:N, but is '{value}'.");
});
var timeout = new Option<int>("--timeout-minutes") { Description = "Per-notebook time limit.", DefaultValueFactory = _ => 20 };
var site = new Option<string?>("--site")
{
    Description = "Folder for the course's static website, written after the run (default: site/ beside --output, i.e. .artifacts/site). " +
                  "It works opened from disk, offline.",
};
var siteOnly = new Option<bool>("--site-only")
{
    Description = "Run nothing: build the website from the executed notebooks already in --output (and its summary.json).",
};

var root = new RootCommand("Runs the NtkNotebooks course headless: every notebook in its own folder, with the .NET Interactive engine that Polyglot Notebooks uses.")
{
    notebooks, output, paperSizes, device, timeout, site, siteOnly,
};
root.SetAction(async (parse, _) =>
{
    var repo = CourseRunner.RepositoryRoot(Directory.GetCurrentDirectory());
    var outputDir = Path.GetFullPath(parse.GetValue(output) ?? Path.Combine(repo, ".artifacts", "notebooks"));
    var siteDir = parse.GetValue(site) ?? SiteWriter.DefaultDirectory(outputDir);
    if (parse.GetValue(siteOnly))
        return WriteSite(() => SiteWriter.WriteFromFolder(outputDir, siteDir)) ? 0 : 2;
    var selected = parse.GetValue(notebooks) is { Length: > 0 } chosen
        ? chosen.Select(Path.GetFullPath).ToArray()
        : CourseRunner.CourseNotebooks(repo);
    foreach (var missing in selected.Where(p => !File.Exists(p)))
    {
        Console.Error.WriteLine($"error: notebook '{missing}' does not exist.");
        return 2;
    }
    if (parse.GetValue(device) is { } chosenDevice) Environment.SetEnvironmentVariable("NTK_DEVICE", chosenDevice); // the notebooks' processes inherit it
    var results = await CourseRunner.RunCourseAsync(selected, outputDir, parse.GetValue(paperSizes),
        TimeSpan.FromMinutes(parse.GetValue(timeout)), stdout);
    var siteWritten = WriteSite(() => SiteWriter.Write(results, siteDir));
    return results.All(r => r.Passed) ? (siteWritten ? 0 : 2) : 1;
});

// The course's static website (Site/SiteWriter.cs); a folder or notebook it cannot use is an error message, not a crash.
bool WriteSite(Func<string> write)
{
    try
    {
        stdout.WriteLine($"Course site (open it in a browser; works offline): {write()}");
        return true;
    }
    catch (Exception e) when (e is IOException or InvalidDataException or System.Text.Json.JsonException or UnauthorizedAccessException)
    {
        Console.Error.WriteLine($"error: the course site was not written: {e.Message}");
        return false;
    }
}

var execNotebook = new Argument<string>("notebook") { Description = "The notebook to execute in this process." };
var execOutput = new Option<string>("--output") { Description = "Path of the executed notebook.", Required = true };
var exec = new Command("exec", "Executes one notebook in this process (the working directory should be its folder).")
{
    execNotebook, execOutput,
};
exec.Hidden = true;
exec.SetAction(async (parse, _) =>
    await NotebookExecutor.RunAsync(Path.GetFullPath(parse.GetValue(execNotebook)!), Path.GetFullPath(parse.GetValue(execOutput)!), stdout));
root.Subcommands.Add(exec);

return await root.Parse(args).InvokeAsync();
