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

    [Theory]
    [MemberData(nameof(Repository.NotebookNames), MemberType = typeof(Repository))]
    public void EndsWithExercisesWithFoldedAnswers_AndReferences(string name)
    {
        var markdown = Markdown(name);
        var exercises = Section(markdown, "## Exercises");
        Assert.True(exercises is not null, $"{name}: no '## Exercises' section.");
        var answers = System.Text.RegularExpressions.Regex.Matches(exercises!, "<details>").Count;
        Assert.True(answers is >= 2 and <= 4, $"{name}: '## Exercises' has {answers} folded answers (<details>); expected 2 to 4.");
        var references = Section(markdown, "## References");
        Assert.True(references is not null, $"{name}: no '## References' section.");
        Assert.Contains("1902.06720", references); // Lee et al. 2019, the paper the course reproduces
    }

    // The paper's figures: 1-4 and S1-S10.
    static readonly string[] Figures = [.. Enumerable.Range(1, 4).Select(i => $"{i}"), .. Enumerable.Range(1, 10).Select(i => $"S{i}")];

    [Fact]
    public void EveryFigureOfThePaper_IsNamedInANotebookHeading()
    {
        var named = new HashSet<string>();
        foreach (var path in Repository.Notebooks)
        {
            foreach (var line in Markdown(Path.GetFileName(path)).Split('\n').Where(l => l.TrimStart().StartsWith('#')))
            {
                // "Figure 3", "Figures S9, S10", "Figures S7/S8", "(Figures 1 and S6)".
                foreach (System.Text.RegularExpressions.Match m in System.Text.RegularExpressions.Regex.Matches(line, @"Figures?\s+(S?\d+(?:\s*(?:,|/|and|&)\s*S?\d+)*)"))
                {
                    foreach (System.Text.RegularExpressions.Match f in System.Text.RegularExpressions.Regex.Matches(m.Groups[1].Value, @"S?\d+")) named.Add(f.Value);
                }
            }
        }
        var missing = Figures.Where(f => !named.Contains(f)).ToArray();
        Assert.True(missing.Length == 0, $"Figures not named in any notebook heading: {string.Join(", ", missing)}.");
    }

    static string Markdown(string name) => string.Join("\n", Load(name)["cells"]!.AsArray()
        .Where(c => (string?)c!["cell_type"] == "markdown")
        .Select(c => string.Concat(c!["source"]!.AsArray().Select(l => (string?)l))));

    // The text from a heading line to the next heading of the same or a higher level, or null.
    static string? Section(string markdown, string heading)
    {
        var lines = markdown.Split('\n');
        var start = Array.FindIndex(lines, l => l.TrimEnd() == heading);
        if (start < 0) return null;
        var level = heading.TakeWhile(ch => ch == '#').Count();
        var end = Array.FindIndex(lines, start + 1, l => l.StartsWith('#') && l.TakeWhile(ch => ch == '#').Count() <= level);
        return string.Join("\n", lines[start..(end < 0 ? lines.Length : end)]);
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
