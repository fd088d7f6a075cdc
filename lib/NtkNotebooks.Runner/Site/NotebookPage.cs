using System.Text;

namespace NtkNotebooks.Runner.Site;

/// <summary>
/// One notebook's page: its Markdown cells typeset, code cells highlighted, every output in place, the claim check's
/// result at the top, and links to the previous and next notebook, the contents and the executed .ipynb.
/// </summary>
public static class NotebookPage
{
    /// <summary>The page's HTML.</summary>
    /// <param name="notebook">The notebook.</param>
    /// <param name="previous">The notebook before it in the course, if any.</param>
    /// <param name="next">The notebook after it, if any.</param>
    /// <param name="sourceHref">Relative link to the copy of the executed .ipynb.</param>
    public static string Html(SiteNotebook notebook, SiteNotebook? previous, SiteNotebook? next, string sourceHref)
    {
        var body = new StringBuilder();
        var pager = Pager(previous, next, sourceHref);
        body.AppendLine($"<nav class=\"pager top\">{pager}</nav>");
        body.AppendLine($"<header class=\"status\">{Claim(notebook)}</header>");
        body.AppendLine("<main>");
        foreach (var cell in notebook.Notebook.Cells)
            body.AppendLine(cell.IsCode ? CodeCell(cell) : $"<section class=\"cell markdown\">{MarkdownHtml.ToHtml(cell.Source)}</section>");
        body.AppendLine("</main>");
        body.AppendLine($"<nav class=\"pager bottom\">{pager}</nav>");
        return PageLayout.Page(PageLayout.PlainTitle(notebook.Title), body.ToString());
    }

    static string Pager(SiteNotebook? previous, SiteNotebook? next, string sourceHref) =>
        $"<span>{(previous is null ? "" : PageLayout.Link(previous.Notebook.PageName, "← " + PageLayout.PlainTitle(previous.Title)))}</span>" +
        $"<span>{PageLayout.Link(IndexPage.FileName, "Contents")} · {PageLayout.Link(sourceHref, "notebook (.ipynb)")}</span>" +
        $"<span>{(next is null ? "" : PageLayout.Link(next.Notebook.PageName, PageLayout.PlainTitle(next.Title) + " →"))}</span>";

    static string Claim(SiteNotebook notebook)
    {
        var (css, label) = notebook.Passed switch
        {
            true => ("passed", "Claim check passed"),
            false => ("failed", "FAILED"),
            null => ("unknown", "Claim check"),
        };
        return $"<div class=\"claim {css}\"><b>{label}</b> <span class=\"time\">(run time {notebook.RunTime})</span>{notebook.ClaimsHtml}</div>";
    }

    static string CodeCell(NotebookCell cell)
    {
        var html = new StringBuilder("<section class=\"cell code\">");
        html.Append($"<div class=\"prompt\">In [{cell.ExecutionCount?.ToString() ?? " "}]:</div>");
        html.Append($"<div class=\"source\">{CodeHtml.ToHtml(cell.Source)}</div>");
        if (cell.Outputs.Count > 0)
        {
            html.Append("<div class=\"outputs\">");
            foreach (var output in cell.Outputs) html.Append(OutputHtml.ToHtml(output));
            html.Append("</div>");
        }
        return html.Append("</section>").ToString();
    }
}
