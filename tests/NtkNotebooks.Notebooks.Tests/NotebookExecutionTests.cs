using NtkNotebooks.Runner;
using Xunit.Abstractions;

namespace NtkNotebooks.Notebooks.Tests;

/// <summary>
/// One test per notebook: it runs headless in its own folder, as in VS Code, and fails when any cell fails,
/// including the final claim check. Executed copies go to .artifacts/test-notebooks.
/// </summary>
public class NotebookExecutionTests(ITestOutputHelper output)
{
    [Theory]
    [MemberData(nameof(Repository.NotebookNames), MemberType = typeof(Repository))]
    public async Task RunsToTheEnd_AndItsClaimHolds(string name)
    {
        var result = await CourseRunner.RunNotebookAsync(
            Path.Combine(Repository.Root, "notebooks", name),
            Path.Combine(Repository.Root, ".artifacts", "test-notebooks"),
            paperSizes: false,
            timeout: TimeSpan.FromMinutes(15),
            onProgress: output.WriteLine);
        output.WriteLine(result.Describe());
        Assert.True(result.Passed, result.Describe());
        Assert.Equal(result.Cells, result.CellsPassed);
    }
}
