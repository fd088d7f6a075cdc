using System.Text.Json.Nodes;

namespace NtkNotebooks.Notebooks.Tests;

/// <summary>Every committed notebook is a clean VS Code .NET (C#) notebook that follows the course's conventions.</summary>
public class NotebookFormatTests
{
    [Fact]
    public void TheCourseHasNotebooks() => Assert.NotEmpty(Repository.Notebooks);

    [Theory]
    [MemberData(nameof(Repository.NotebookNames), MemberType = typeof(Repository))]
    public void IsAValidVsCodeDotNetNotebook_WithoutOutputs(string name)
    {
        var notebook = Load(name);
        Assert.Equal(4, (int)notebook["nbformat"]!);
        Assert.Equal(".net-csharp", (string?)notebook["metadata"]?["kernelspec"]?["name"]);
        Assert.Equal("C#", (string?)notebook["metadata"]?["kernelspec"]?["language"]);
        Assert.Equal("csharp", (string?)notebook["metadata"]?["polyglot_notebook"]?["kernelInfo"]?["defaultKernelName"]);

        var cells = notebook["cells"]!.AsArray();
        Assert.NotEmpty(cells);
        foreach (var cell in cells)
        {
            var type = (string?)cell!["cell_type"];
            Assert.True(type is "markdown" or "code", $"{name}: unexpected cell type '{type}'");
            if (type != "code") continue;
            Assert.Equal("csharp", (string?)cell["metadata"]?["polyglot_notebook"]?["kernelName"]);
            Assert.True(cell["outputs"] is JsonArray { Count: 0 }, $"{name}: a code cell has outputs; commit notebooks without outputs.");
            Assert.Null(cell["execution_count"]);
        }
    }

    [Theory]
    [MemberData(nameof(Repository.NotebookNames), MemberType = typeof(Repository))]
    public void StartsWithTheLibrary_AndEndsWithAClaimCheck(string name)
    {
        var code = Load(name)["cells"]!.AsArray()
            .Where(c => (string?)c!["cell_type"] == "code")
            .Select(c => string.Concat(c!["source"]!.AsArray().Select(l => (string?)l)))
            .ToList();
        Assert.NotEmpty(code);
        Assert.StartsWith($"#r \"nuget: NtkNotebooks, {Repository.LibraryVersion}\"", code[0]);
        Assert.Contains("Course.Init()", code[0]);
        Assert.Contains("Claim.", code[^1]);
        Assert.True(Load(name)["cells"]!.AsArray()[0]!["cell_type"]!.GetValue<string>() == "markdown", $"{name}: start with a title cell");
    }

    static JsonNode Load(string name) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(Repository.Root, "notebooks", name)))!;
}
