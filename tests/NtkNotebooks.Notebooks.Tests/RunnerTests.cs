using System.Text.Json;
using NtkNotebooks.Runner;

namespace NtkNotebooks.Notebooks.Tests;

/// <summary>The runner reports failures precisely: which notebook, which cell, what error.</summary>
public sealed class RunnerTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("ntk-runner-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    string Notebook(params string[] cells)
    {
        var path = Path.Combine(_dir, "probe.ipynb");
        var notebook = new
        {
            cells = cells.Select(c => new
            {
                cell_type = "code",
                execution_count = (int?)null,
                metadata = new { polyglot_notebook = new { kernelName = "csharp" } },
                outputs = Array.Empty<object>(),
                source = new[] { c },
            }),
            metadata = new { kernelspec = new { display_name = ".NET (C#)", language = "C#", name = ".net-csharp" } },
            nbformat = 4,
            nbformat_minor = 5,
        };
        File.WriteAllText(path, JsonSerializer.Serialize(notebook));
        return path;
    }

    [Fact]
    public async Task AFailingCell_IsReportedWithItsNumberAndError_AndLaterCellsDoNotRun()
    {
        var path = Notebook("var x = 1 + 1;", "System.IO.Directory.GetCurrentDirectory()", "throw new InvalidOperationException(\"boom \" + x);", "x");
        var result = await CourseRunner.RunNotebookAsync(path, Path.Combine(_dir, "out"), false, TimeSpan.FromMinutes(5));
        Assert.False(result.Passed);
        Assert.Equal(3, result.FailedCell);
        Assert.Equal(2, result.CellsPassed);
        Assert.Equal(4, result.Cells);
        Assert.Contains("boom 2", result.Error);
        Assert.Contains("probe.ipynb: FAILED at code cell 3 of 4", result.Describe());

        var executed = File.ReadAllText(result.ExecutedNotebook);
        Assert.Contains("boom 2", executed);
        Assert.Contains(_dir.Replace("\\", "\\\\"), executed); // cell 2 ran in the notebook's own folder
    }

    [Fact]
    public async Task ACrashingProcess_IsReportedWithTheCellThatWasRunning()
    {
        var path = Notebook("1", "Environment.Exit(134);");
        var result = await CourseRunner.RunNotebookAsync(path, Path.Combine(_dir, "out"), false, TimeSpan.FromMinutes(5));
        Assert.False(result.Passed);
        Assert.Equal(2, result.FailedCell);
        Assert.Contains("exited with code 134 during code cell 2", result.Error);
    }

    [Fact]
    public async Task APassingNotebook_WritesOutputs()
    {
        var path = Notebook("Console.WriteLine(\"hello\");", "display(40 + 2);");
        var result = await CourseRunner.RunNotebookAsync(path, Path.Combine(_dir, "out"), false, TimeSpan.FromMinutes(5));
        Assert.True(result.Passed, result.Describe());
        var executed = File.ReadAllText(result.ExecutedNotebook);
        Assert.Contains("hello", executed);
        Assert.Contains("42", executed);
    }

    [Fact]
    public void Summary_ListsEveryNotebook()
    {
        var table = CourseRunner.SummaryTable([
            new NotebookResult("a.ipynb", true, 3, 3, 1.5, null, null, "a"),
            new NotebookResult("b.ipynb", false, 4, 1, 2.0, 2, "boom", "b"),
        ]);
        Assert.Contains("| a.ipynb | passed | 3/3 | 1.5 |", table);
        Assert.Contains("| b.ipynb | FAILED (cell 2) | 1/4 | 2.0 |", table);
        Assert.Contains("1 passed, 1 failed", table);
    }
}
