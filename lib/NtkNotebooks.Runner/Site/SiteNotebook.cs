namespace NtkNotebooks.Runner.Site;

/// <summary>A notebook as the site lists it: the executed notebook and, when the runner recorded one, its result.</summary>
/// <param name="Notebook">The executed .ipynb.</param>
/// <param name="Result">Pass/fail, failing cell and run time from the runner (null when not recorded).</param>
public sealed record SiteNotebook(ExecutedNotebook Notebook, NotebookResult? Result)
{
    (string? Title, string? Summary)? _heading;

    (string? Title, string? Summary) Heading => _heading ??=
        Notebook.Cells.FirstOrDefault(c => !c.IsCode) is { } first ? MarkdownHtml.TitleAndSummary(first.Source) : (null, null);

    /// <summary>The first Markdown cell's heading (Markdown), else the file name.</summary>
    public string Title => Heading.Title ?? Path.GetFileNameWithoutExtension(Notebook.FileName);

    /// <summary>One line from the first Markdown cell (Markdown), if it has one.</summary>
    public string? Summary => Heading.Summary;

    /// <summary>Whether every cell passed, its claim check included: the runner's verdict, else failed when an output
    /// is an error; null when unknown.</summary>
    public bool? Passed => Result?.Passed ?? (Notebook.HasErrors ? false : null);

    /// <summary>
    /// The claim check's outcome, one line per claim: those that held and, for a failed run, what failed; the final
    /// cell's output when the notebook printed no claim.
    /// </summary>
    public IReadOnlyList<string> Claims => _claims ??= ReadClaims();

    IReadOnlyList<string>? _claims;

    IReadOnlyList<string> ReadClaims()
    {
        var held = Notebook.HeldClaims();
        if (Passed == false)
            return [.. held, $"failed{(Result?.FailedCell is { } cell ? $" at code cell {cell}" : "")}: {Result?.Error ?? Notebook.FinalOutputText() ?? "an output is an error"}"];
        return held.Count > 0 ? held : [Notebook.FinalOutputText() ?? "(the final cell printed nothing)"];
    }

    /// <summary><see cref="Claims"/> as an HTML list.</summary>
    public string ClaimsHtml =>
        "<ul class=\"claims\">" + string.Concat(Claims.Select(c => $"<li>{System.Net.WebUtility.HtmlEncode(c)}</li>")) + "</ul>";

    /// <summary>The notebook's run time, e.g. "57.6 s", or "-" when not recorded.</summary>
    public string RunTime => Result is { } r ? $"{r.Seconds:F1} s" : "-";
}
