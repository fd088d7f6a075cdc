using System.Text;

namespace NtkNotebooks.Runner.Site;

/// <summary>The table of contents: every notebook with its summary, claim-check result and run time.</summary>
public static class IndexPage
{
    /// <summary>The page's file name.</summary>
    public const string FileName = "index.html";

    /// <summary>The page's HTML.</summary>
    /// <param name="notebooks">The course's notebooks, in order.</param>
    /// <param name="sourceHref">The relative link to a notebook's executed .ipynb.</param>
    public static string Html(IReadOnlyList<SiteNotebook> notebooks, Func<SiteNotebook, string> sourceHref)
    {
        var passed = notebooks.Count(n => n.Passed == true);
        var body = new StringBuilder("<main>\n<h1>The Neural Tangent Kernel, in C#: the executed course</h1>\n");
        body.AppendLine("<p>Every notebook of the course, run headless by the course's runner, with its outputs and charts. " +
                        "Each one ends with a cell that measures a claim of Lee et al. (2019), <i>Wide Neural Networks of Any Depth " +
                        "Evolve as Linear Models Under Gradient Descent</i>; the table shows what it measured.</p>");
        body.AppendLine($"<p>{passed} of {notebooks.Count} notebooks passed their claim check.</p>");
        body.AppendLine("<table class=\"contents\">\n<thead><tr><th>Notebook</th><th>Claim check</th><th>Run time</th></tr></thead>\n<tbody>");
        foreach (var notebook in notebooks)
        {
            var summary = notebook.Summary is { } s ? $"<div class=\"summary\">{MarkdownHtml.ToInlineHtml(s)}</div>" : "";
            var mark = notebook.Passed switch
            {
                true => "<span class=\"mark passed\">✓ passed</span>",
                false => "<span class=\"mark failed\">✗ failed</span>",
                null => "<span class=\"mark\">?</span>",
            };
            body.AppendLine("<tr>" +
                $"<td>{PageLayout.Link(notebook.Notebook.PageName, MarkdownHtml.ToInlineHtml(notebook.Title), html: true)}{summary}" +
                $"<div class=\"summary\">{PageLayout.Link(sourceHref(notebook), notebook.Notebook.FileName)}</div></td>" +
                $"<td>{mark}{notebook.ClaimsHtml}</td>" +
                $"<td class=\"time\">{notebook.RunTime}</td></tr>");
        }
        body.AppendLine("</tbody>\n</table>\n</main>");
        var total = notebooks.Where(n => n.Result is not null).Sum(n => n.Result!.Seconds);
        body.AppendLine($"<footer>Built {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC by <code>dotnet run --project lib/NtkNotebooks.Runner -c Release</code>" +
                        $"{(total > 0 ? $"; {total:F0} s of notebook runs" : "")}. Works offline: plotly.js and KaTeX are in <code>assets/</code>.</footer>");
        return PageLayout.Page("NtkNotebooks: the executed course", body.ToString());
    }
}
