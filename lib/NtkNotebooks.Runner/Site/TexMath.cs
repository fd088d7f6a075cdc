using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace NtkNotebooks.Runner.Site;

/// <summary>
/// The TeX in a Markdown cell, taken out before Markdig sees it (Markdown would read its <c>\,</c>, <c>_</c> and
/// <c>*</c> as escapes and emphasis, and a <c>$$...$$</c> spanning lines as text) and put back afterwards as
/// <c>&lt;span class="math"&gt;</c> (from <c>$...$</c>) or <c>&lt;span class="math display"&gt;</c> (from
/// <c>$$...$$</c>) holding the TeX, which assets/site.js typesets with KaTeX. Dollars inside code (fenced blocks,
/// backtick spans) and escaped ones (<c>\$</c>) are left alone.
/// </summary>
public static partial class TexMath
{
    /// <summary>The Markdown with every formula replaced by a placeholder, and the formulas in order.</summary>
    public static (string Markdown, IReadOnlyList<Formula> Formulas) Extract(string markdown)
    {
        var formulas = new List<Formula>();
        var output = new StringBuilder(markdown.Length);
        var prose = new StringBuilder();
        string? fence = null;
        foreach (var line in markdown.ReplaceLineEndings("\n").Split('\n'))
        {
            var opening = FenceLine().Match(line);
            if (fence is null && opening.Success) fence = opening.Groups[1].Value;
            else if (fence is not null && line.TrimStart().StartsWith(fence, StringComparison.Ordinal)) fence = null;
            else if (fence is null) { prose.Append(line).Append('\n'); continue; }
            output.Append(ExtractFromProse(prose.ToString(), formulas)).Append(line).Append('\n');
            prose.Clear();
        }
        output.Append(ExtractFromProse(prose.ToString(), formulas));
        return (output.ToString().TrimEnd('\n'), formulas);
    }

    /// <summary>The HTML with each placeholder replaced by its formula's element.</summary>
    public static string Restore(string html, IReadOnlyList<Formula> formulas) =>
        Placeholder().Replace(html, m =>
        {
            var formula = formulas[int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)];
            return $"<span class=\"math{(formula.Display ? " display" : "")}\">{WebUtility.HtmlEncode(formula.Tex)}</span>";
        });

    /// <summary>One formula.</summary>
    /// <param name="Tex">The TeX between the dollars.</param>
    /// <param name="Display">From <c>$$...$$</c>: typeset on its own line.</param>
    public sealed record Formula(string Tex, bool Display);

    static string ExtractFromProse(string text, List<Formula> formulas)
    {
        var result = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length;)
        {
            if (text[i] == '\\' && i + 1 < text.Length) { result.Append(text, i, 2); i += 2; continue; }
            if (text[i] == '`')
            {
                var run = 1;
                while (i + run < text.Length && text[i + run] == '`') run++;
                var close = text.IndexOf(new string('`', run), i + run, StringComparison.Ordinal);
                var end = close < 0 ? i + run : close + run;
                result.Append(text, i, end - i);
                i = end;
                continue;
            }
            if (text[i] == '$' && FormulaAt(text, i) is { } found)
            {
                result.Append($"NTKMATH{formulas.Count}X");
                formulas.Add(found.Formula);
                i = found.End;
                continue;
            }
            result.Append(text[i++]);
        }
        return result.ToString();
    }

    // The formula starting at the dollar at `start`, and the index after its closing dollar(s); null if none closes it.
    static (Formula Formula, int End)? FormulaAt(string text, int start)
    {
        if (start + 1 < text.Length && text[start + 1] == '$')
        {
            var close = text.IndexOf("$$", start + 2, StringComparison.Ordinal);
            return close < 0 ? null : (new Formula(text[(start + 2)..close].Trim(), Display: true), close + 2);
        }
        // Inline: no space after the opening dollar, none before the closing one, no digit after it, no blank line inside.
        if (start + 1 >= text.Length || char.IsWhiteSpace(text[start + 1])) return null;
        for (var j = start + 1; j < text.Length; j++)
        {
            if (text[j] == '\\') { j++; continue; }
            if (text[j] == '\n' && j + 1 < text.Length && text[j + 1] == '\n') return null;
            if (text[j] != '$' || char.IsWhiteSpace(text[j - 1])) continue;
            if (j + 1 < text.Length && char.IsDigit(text[j + 1])) return null;
            return (new Formula(text[(start + 1)..j], Display: false), j + 1);
        }
        return null;
    }

    [GeneratedRegex(@"^ {0,3}(`{3,}|~{3,})")]
    private static partial Regex FenceLine();

    [GeneratedRegex(@"NTKMATH(\d+)X")]
    private static partial Regex Placeholder();
}
