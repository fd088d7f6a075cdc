using System.Text.Json.Nodes;

namespace NtkNotebooks.Runner.Site;

/// <summary>One cell of an executed notebook, as its .ipynb stores it.</summary>
/// <param name="IsCode">A code cell (else Markdown).</param>
/// <param name="Source">The cell's text.</param>
/// <param name="ExecutionCount">The code cell's number in the run, when it ran.</param>
/// <param name="Outputs">The code cell's Jupyter outputs (stream, display_data, execute_result, error), in order.</param>
public sealed record NotebookCell(bool IsCode, string Source, int? ExecutionCount, IReadOnlyList<JsonObject> Outputs);

/// <summary>An executed notebook (.ipynb with outputs) read for the site: its cells, title, summary and last output.</summary>
public sealed class ExecutedNotebook
{
    /// <summary>File name, e.g. <c>00-welcome.ipynb</c>.</summary>
    public string FileName { get; }

    /// <summary>Full path of the .ipynb.</summary>
    public string Path { get; }

    /// <summary>Every Markdown and code cell, in order.</summary>
    public IReadOnlyList<NotebookCell> Cells { get; }

    /// <summary>Name of the notebook's page in the site, e.g. <c>00-welcome.html</c>.</summary>
    public string PageName => System.IO.Path.ChangeExtension(FileName, ".html");

    ExecutedNotebook(string path, IReadOnlyList<NotebookCell> cells)
    {
        Path = System.IO.Path.GetFullPath(path);
        FileName = System.IO.Path.GetFileName(path);
        Cells = cells;
    }

    /// <summary>Reads an .ipynb (nbformat 4).</summary>
    /// <exception cref="InvalidDataException">The file is not a Jupyter notebook.</exception>
    public static ExecutedNotebook Load(string path)
    {
        var root = JsonNode.Parse(File.ReadAllText(path)) as JsonObject;
        if (root?["cells"] is not JsonArray cells)
            throw new InvalidDataException($"'{path}' is not a Jupyter notebook (no \"cells\" array).");
        return new ExecutedNotebook(path, cells.OfType<JsonObject>()
            .Where(c => (string?)c["cell_type"] is "markdown" or "code")
            .Select(c => new NotebookCell(
                (string?)c["cell_type"] == "code",
                Text(c["source"]),
                c["execution_count"] is JsonValue n && n.TryGetValue<int>(out var count) ? count : null,
                c["outputs"] is JsonArray outputs ? outputs.OfType<JsonObject>().ToList() : []))
            .ToList());
    }

    /// <summary>Whether any output is an error.</summary>
    public bool HasErrors => Cells.Any(c => c.Outputs.Any(o => (string?)o["output_type"] == "error"));

    /// <summary>
    /// The text of the last code cell's last output (a claim check's result: "slope = -0.52, expected in [-0.8, -0.2]"),
    /// preferring a returned value's text/plain over printed text; null when that cell has no text output.
    /// </summary>
    public string? FinalOutputText()
    {
        var last = Cells.LastOrDefault(c => c.IsCode);
        if (last is null) return null;
        string? printed = null;
        foreach (var output in last.Outputs.AsEnumerable().Reverse())
        {
            switch ((string?)output["output_type"])
            {
                case "execute_result" or "display_data" when output["data"] is JsonObject data && data["text/plain"] is { } plain:
                    return Text(plain).Trim();
                case "stream":
                    printed ??= Text(output["text"]).Trim();
                    break;
                case "error":
                    return $"{(string?)output["ename"]}: {(string?)output["evalue"]}".Trim();
            }
        }
        return string.IsNullOrEmpty(printed) ? null : printed;
    }

    /// <summary>
    /// The claims that held, one per <c>Claim</c> call in the order the run printed them ("slope = -0.52, expected in
    /// [-0.8, -0.2]"), read from the code cells' printed text.
    /// </summary>
    public IReadOnlyList<string> HeldClaims() =>
        Cells.Where(c => c.IsCode)
            .Select(c => string.Concat(c.Outputs.Where(o => (string?)o["output_type"] == "stream").Select(o => Text(o["text"]))))
            .SelectMany(text => text.Split('\n'))
            .Where(line => line.StartsWith(HeldPrefix, StringComparison.Ordinal))
            .Select(line => line[HeldPrefix.Length..].Trim())
            .ToList();

    // What NtkNotebooks.Claim prints for a claim that holds.
    const string HeldPrefix = "Claim holds: ";

    /// <summary>A notebook string field: one string, or an array of lines to concatenate.</summary>
    public static string Text(JsonNode? node) => node switch
    {
        JsonArray lines => string.Concat(lines.Select(l => (string?)l)),
        JsonValue value when value.TryGetValue<string>(out var s) => s,
        null => "",
        _ => node.ToJsonString(),
    };
}
