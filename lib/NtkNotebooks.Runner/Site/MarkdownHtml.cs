using System.Text.RegularExpressions;
using Markdig;
using Markdig.Syntax;

namespace NtkNotebooks.Runner.Site;

/// <summary>
/// Markdown cells to HTML with Markdig: pipe tables, auto-links, heading ids; formulas (<c>$...$</c>, <c>$$...$$</c>)
/// pass through untouched as elements that the page's script typesets with KaTeX (<see cref="TexMath"/>).
/// </summary>
public static partial class MarkdownHtml
{
    static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder()
        .UsePipeTables()
        .UseAutoLinks()
        .UseAutoIdentifiers()
        .Build();

    /// <summary>A Markdown cell as HTML.</summary>
    public static string ToHtml(string markdown)
    {
        var (text, formulas) = TexMath.Extract(markdown);
        return TexMath.Restore(Markdown.ToHtml(text, Pipeline), formulas);
    }

    /// <summary>One line of Markdown (a title, a summary) as inline HTML, without the paragraph around it; display
    /// formulas are typeset inline.</summary>
    public static string ToInlineHtml(string markdown)
    {
        var html = ToHtml(markdown.ReplaceLineEndings(" ")).Trim().Replace("<span class=\"math display\">", "<span class=\"math\">");
        return html.StartsWith("<p>", StringComparison.Ordinal) && html.EndsWith("</p>", StringComparison.Ordinal) ? html[3..^4] : html;
    }

    /// <summary>
    /// The title and a one-line summary of a notebook, from its first Markdown cell: the first heading, and the first
    /// sentence of the first paragraph after it, or the first item of its first list ("What you will learn").
    /// Both are Markdown; the summary is null when the cell has nothing after the heading.
    /// </summary>
    public static (string? Title, string? Summary) TitleAndSummary(string markdown)
    {
        var document = Markdown.Parse(markdown, Pipeline);
        var heading = document.OfType<HeadingBlock>().FirstOrDefault();
        string Slice(Block block) => markdown.Substring(block.Span.Start, block.Span.Length);
        string? title = heading is null ? null : Slice(heading).TrimStart('#').Trim();
        foreach (var block in document.SkipWhile(b => b != heading).Skip(heading is null ? 0 : 1))
        {
            if (block is ListBlock { Count: > 0 } list && list[0] is ListItemBlock { Count: > 0 } item)
                return (title, Sentence(Slice(item[0])));
            if (block is ParagraphBlock paragraph && !LabelOnly().IsMatch(Slice(paragraph)))
                return (title, Sentence(Slice(paragraph)));
        }
        return (title, null);
    }

    // The first sentence, on one line, capitalised, ending with a full stop.
    static string Sentence(string text)
    {
        text = Regex.Replace(text, @"\s+", " ").Trim();
        var end = FullStop().Match(text);
        if (end.Success) text = text[..(end.Index + 1)];
        text = text.TrimEnd(';', ',', ':', ' ');
        if (!text.EndsWith('.')) text += ".";
        return char.ToUpperInvariant(text[0]) + text[1..];
    }

    // A sentence ends at ". " followed by a capital letter, outside math.
    [GeneratedRegex(@"\.(?= [A-Z])")]
    private static partial Regex FullStop();

    // A bold label alone, such as "**What you will learn**".
    [GeneratedRegex(@"^\s*\*\*[^*]+\*\*:?\s*$")]
    private static partial Regex LabelOnly();
}
