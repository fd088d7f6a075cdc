using System.Diagnostics;
using System.Text.Json;

namespace NtkNotebooks.Runner;

/// <summary>The outcome of one notebook.</summary>
/// <param name="Notebook">File name.</param>
/// <param name="Passed">Every code cell succeeded.</param>
/// <param name="Cells">Code cells in the notebook.</param>
/// <param name="CellsPassed">Code cells that succeeded.</param>
/// <param name="Seconds">Wall time of the notebook process.</param>
/// <param name="FailedCell">1-based number of the failing code cell, if any.</param>
/// <param name="Error">What failed.</param>
/// <param name="ExecutedNotebook">Path of the executed copy with outputs.</param>
public sealed record NotebookResult(string Notebook, bool Passed, int Cells, int CellsPassed, double Seconds,
    int? FailedCell, string? Error, string ExecutedNotebook)
{
    /// <summary>One line for logs and test failures.</summary>
    public string Describe() => Passed
        ? $"{Notebook}: passed, {Cells} cells, {Seconds:F1} s"
        : $"{Notebook}: FAILED at code cell {FailedCell?.ToString() ?? "?"} of {Cells}: {Error} (executed copy: {ExecutedNotebook})";
}

/// <summary>
/// Executes notebooks in order, each in its own process (<c>exec</c>) started in the notebook's folder, and collects
/// per-notebook results; writes the executed notebooks and a summary to an output folder.
/// </summary>
public static class CourseRunner
{
    /// <summary>Runs one notebook in a child process and waits for it.</summary>
    /// <param name="notebookPath">The .ipynb to run.</param>
    /// <param name="outputDirectory">Where the executed copy goes (created if missing).</param>
    /// <param name="paperSizes">Sets NTK_PAPER_SIZES=1 for the notebook (Course.PaperSizes).</param>
    /// <param name="timeout">Wall-clock limit; the process is killed after it.</param>
    /// <param name="onProgress">Receives a line per cell.</param>
    public static async Task<NotebookResult> RunNotebookAsync(string notebookPath, string outputDirectory, bool paperSizes,
        TimeSpan timeout, Action<string>? onProgress = null)
    {
        notebookPath = Path.GetFullPath(notebookPath);
        if (!File.Exists(notebookPath))
            throw new FileNotFoundException($"Notebook '{notebookPath}' does not exist.", notebookPath);
        Directory.CreateDirectory(outputDirectory);
        var name = Path.GetFileName(notebookPath);
        var output = Path.GetFullPath(Path.Combine(outputDirectory, name));
        File.Delete(output);

        var start = new ProcessStartInfo(DotnetHost())
        {
            WorkingDirectory = Path.GetDirectoryName(notebookPath)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { typeof(CourseRunner).Assembly.Location, "exec", notebookPath, "--output", output })
            start.ArgumentList.Add(arg);
        start.Environment["NTK_PAPER_SIZES"] = paperSizes ? "1" : "0";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";

        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the notebook process.");
        int cells = 0, passed = 0, current = 0;
        int? failedCell = null;
        string? error = null;
        var stderr = new System.Text.StringBuilder();
        var stderrTask = Task.Run(async () =>
        {
            while (await process.StandardError.ReadLineAsync() is { } line) lock (stderr) stderr.AppendLine(line);
        });

        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            while (await process.StandardOutput.ReadLineAsync(cancel.Token) is { } line)
            {
                switch (Progress.Parse(line))
                {
                    case { Kind: Progress.EventKind.Cells } e: cells = e.Cell; break;
                    case { Kind: Progress.EventKind.Start } e: current = e.Cell; break;
                    case { Kind: Progress.EventKind.Ok } e:
                        passed++;
                        onProgress?.Invoke($"  {name}  cell {e.Cell,2}/{cells}  ok      {e.Seconds,7:F1} s");
                        break;
                    case { Kind: Progress.EventKind.Failed } e:
                        failedCell = e.Cell;
                        error = e.Error;
                        onProgress?.Invoke($"  {name}  cell {e.Cell,2}/{cells}  FAILED  {e.Seconds,7:F1} s  {e.Error}");
                        break;
                }
            }
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            failedCell ??= current;
            error ??= $"timed out after {timeout.TotalMinutes:F0} min (in code cell {current})";
        }
        await stderrTask.WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(_ => { });

        if (process.HasExited && process.ExitCode != 0 && error is null)
        {
            // Not a failing cell: the process died (a native crash is exit 134) or could not start the notebook.
            failedCell = current == 0 ? null : current;
            string tail;
            lock (stderr) tail = string.Join(" | ", stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).TakeLast(5));
            error = $"the notebook process exited with code {process.ExitCode}{(current > 0 ? $" during code cell {current}" : "")}: {tail}";
        }
        var ok = error is null && process.HasExited && process.ExitCode == 0 && passed == cells;
        return new NotebookResult(name, ok, cells, passed, clock.Elapsed.TotalSeconds, ok ? null : failedCell, ok ? null : error, output);
    }

    /// <summary>Runs notebooks in order, printing progress and a summary; writes summary.json and summary.md.</summary>
    public static async Task<IReadOnlyList<NotebookResult>> RunCourseAsync(IReadOnlyList<string> notebooks, string outputDirectory,
        bool paperSizes, TimeSpan timeout, TextWriter log)
    {
        if (notebooks.Count == 0) throw new ArgumentException("No notebooks to run.", nameof(notebooks));
        var results = new List<NotebookResult>();
        for (var i = 0; i < notebooks.Count; i++)
        {
            log.WriteLine($"[{i + 1}/{notebooks.Count}] {Path.GetFileName(notebooks[i])}");
            var result = await RunNotebookAsync(notebooks[i], outputDirectory, paperSizes, timeout, log.WriteLine);
            log.WriteLine($"[{i + 1}/{notebooks.Count}] {result.Describe()}");
            results.Add(result);
        }
        var table = SummaryTable(results);
        log.WriteLine();
        log.WriteLine(table);
        await File.WriteAllTextAsync(Path.Combine(outputDirectory, "summary.md"), table);
        await File.WriteAllTextAsync(Path.Combine(outputDirectory, "summary.json"),
            JsonSerializer.Serialize(results, new JsonSerializerOptions { WriteIndented = true }));
        log.WriteLine($"Executed notebooks and summary: {Path.GetFullPath(outputDirectory)}");
        return results;
    }

    /// <summary>A Markdown table: notebook, status, cells, seconds.</summary>
    public static string SummaryTable(IReadOnlyList<NotebookResult> results)
    {
        var lines = new List<string>
        {
            "| Notebook | Status | Cells | Seconds |",
            "|---|---|---:|---:|",
        };
        lines.AddRange(results.Select(r => $"| {r.Notebook} | {(r.Passed ? "passed" : $"FAILED (cell {r.FailedCell})")} | {r.CellsPassed}/{r.Cells} | {r.Seconds:F1} |"));
        var passed = results.Count(r => r.Passed);
        lines.Add("");
        lines.Add($"{passed} passed, {results.Count - passed} failed, {results.Sum(r => r.Seconds):F0} s in all");
        return string.Join(Environment.NewLine, lines);
    }

    /// <summary>The course's notebooks: notebooks/*.ipynb under the repository root, in name order.</summary>
    public static IReadOnlyList<string> CourseNotebooks(string repositoryRoot) =>
        Directory.GetFiles(Path.Combine(repositoryRoot, "notebooks"), "*.ipynb").Order(StringComparer.Ordinal).ToArray();

    /// <summary>The folder holding NtkNotebooks.sln, searched upward from <paramref name="start"/>.</summary>
    public static string RepositoryRoot(string start)
    {
        for (var dir = new DirectoryInfo(Path.GetFullPath(start)); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "NtkNotebooks.sln"))) return dir.FullName;
        }
        throw new DirectoryNotFoundException($"No NtkNotebooks.sln in '{start}' or above it: run from inside the repository.");
    }

    static string DotnetHost()
    {
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(host) && File.Exists(host)) return host;
        var self = Environment.ProcessPath;
        return self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";
    }
}
