using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace NtkNotebooks.Runner.Site;

/// <summary>
/// A code cell's Jupyter outputs as HTML, in place: printed text, returned and displayed values (HTML as is, so
/// tables and charts keep their markup and scripts; images; plain text), and errors.
/// </summary>
public static partial class OutputHtml
{
    /// <summary>One output as HTML.</summary>
    public static string ToHtml(JsonObject output) => (string?)output["output_type"] switch
    {
        "stream" => Pre($"output stream {(string?)output["name"] ?? "stdout"}", ExecutedNotebook.Text(output["text"])),
        "error" => Pre("output error", ErrorText(output)),
        "display_data" or "execute_result" when output["data"] is JsonObject data => DataHtml(data),
        var other => Pre("output unknown", $"(output of type '{other}')"),
    };

    // The richest form a page can show, as a notebook front end picks it.
    static string DataHtml(JsonObject data)
    {
        string? Get(string mime) => data[mime] is { } node ? ExecutedNotebook.Text(node) : null;
        if (Get("text/html") is { } html) return $"<div class=\"output html\">{WithoutPlotlyJs(html)}</div>";
        if (Get("image/svg+xml") is { } svg) return $"<div class=\"output image\">{svg}</div>";
        if (Get("image/png") is { } png) return $"<div class=\"output image\"><img alt=\"output image\" src=\"data:image/png;base64,{png.Trim()}\"></div>";
        if (Get("text/markdown") is { } markdown) return $"<div class=\"output markdown\">{MarkdownHtml.ToHtml(markdown)}</div>";
        if (Get("text/plain") is { } plain) return Pre("output text", plain);
        return Pre("output unknown", $"(an output in {string.Join(", ", data.Select(p => p.Key))})");
    }

    /// <summary>
    /// The HTML without the plotly.js that <c>Course.Init()</c>'s output carries into a notebook (its script element
    /// is marked <c>data-ntk-plotly-js</c>): every page loads the site's own copy, assets/plotly.min.js.
    /// </summary>
    public static string WithoutPlotlyJs(string html) => PlotlyJsScript().Replace(html, "");

    static string ErrorText(JsonObject error)
    {
        var traceback = error["traceback"] is JsonArray lines ? string.Join("\n", lines.Select(l => (string?)l)) : "";
        var text = $"{(string?)error["ename"]}: {(string?)error["evalue"]}";
        return AnsiEscape().Replace(string.IsNullOrWhiteSpace(traceback) ? text : text + "\n" + traceback, "");
    }

    static string Pre(string cssClass, string text) => $"<pre class=\"{cssClass}\">{WebUtility.HtmlEncode(text)}</pre>";

    [GeneratedRegex(@"<script[^>]*\bdata-ntk-plotly-js\b[^>]*>.*?</script>\s*", RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex PlotlyJsScript();

    [GeneratedRegex(@"\x1B\[[0-9;]*m")]
    private static partial Regex AnsiEscape();
}
