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
        Assert.StartsWith($"#r \"nuget: NtkNotebooks.Interactive, {Repository.LibraryVersion}\"", code[0]);
        Assert.Contains("Course.Init()", code[0]);
        Assert.Contains("Claim.", code[^1]);
        Assert.True(Load(name)["cells"]!.AsArray()[0]!["cell_type"]!.GetValue<string>() == "markdown", $"{name}: start with a title cell");
    }

    // What creates networks (".Init(": a Stax architecture's finite network), data or tensors in a notebook, and must
    // say where: nothing in a notebook assumes the CPU.
    static readonly string[] Creators =
    [
        "new FullyConnectedNetwork(", "new ConvolutionalNetwork(", "CreateNetwork() => new(", "CreateCnn() => new(",
        "Mnist.TwoClass(", "Mnist.Load(", "Synthetic.UnitCircle(", "Synthetic.CircleRegression(", ".Init(",
    ];

    [Theory]
    [MemberData(nameof(Repository.NotebookNames), MemberType = typeof(Repository))]
    public void CreatesNetworksDataAndTensors_OnTheCourseDevice(string name)
    {
        var code = string.Join("\n", Load(name)["cells"]!.AsArray()
            .Where(c => (string?)c!["cell_type"] == "code")
            .Select(c => string.Concat(c!["source"]!.AsArray().Select(l => (string?)l))));
        foreach (var creator in Creators)
        {
            for (var i = code.IndexOf(creator, StringComparison.Ordinal); i >= 0; i = code.IndexOf(creator, i + 1, StringComparison.Ordinal))
            {
                if (creator == ".Init(" && code[..i].EndsWith("Course", StringComparison.Ordinal)) continue; // Course.Init() chooses the device
                var call = Arguments(code, i + creator.Length - 1);
                Assert.True(call.Contains("device: Course.Device"), $"{name}: `{creator}{call})` does not pass device: Course.Device.");
            }
        }
        foreach (System.Text.RegularExpressions.Match factory in System.Text.RegularExpressions.Regex.Matches(code, @"(?<![\w.])(tensor|zeros|ones|eye|randn|rand|arange|linspace|full|empty)\("))
        {
            var call = Arguments(code, factory.Index + factory.Length - 1);
            Assert.True(call.Contains("device: Course.Device"), $"{name}: `{factory.Value}{call})` does not pass device: Course.Device.");
        }
    }

    // The argument text of the call whose opening parenthesis is at `open`.
    static string Arguments(string code, int open)
    {
        var depth = 0;
        for (var i = open; i < code.Length; i++)
        {
            if (code[i] is '(' or '[' or '{') depth++;
            else if (code[i] is ')' or ']' or '}' && --depth == 0) return code[(open + 1)..i];
        }
        throw new InvalidOperationException($"Unbalanced call at offset {open}.");
    }

    static JsonNode Load(string name) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(Repository.Root, "notebooks", name)))!;
}
