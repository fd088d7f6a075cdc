using System.Net;

namespace NtkNotebooks.Runner.Site;

/// <summary>The HTML around every page: head with the site's assets (all relative, so the site works from disk), body.</summary>
public static class PageLayout
{
    /// <summary>A whole page.</summary>
    /// <param name="title">The browser tab's title (plain text).</param>
    /// <param name="body">The body's HTML.</param>
    public static string Page(string title, string body) => $"""
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{WebUtility.HtmlEncode(title)}</title>
        <link rel="stylesheet" href="{Assets.Folder}/katex/katex.min.css">
        <link rel="stylesheet" href="{Assets.Folder}/colorcode.css">
        <link rel="stylesheet" href="{Assets.Folder}/site.css">
        <script src="{Assets.Folder}/plotly.min.js"></script>
        <script src="{Assets.Folder}/katex/katex.min.js"></script>
        <script src="{Assets.Folder}/site.js"></script>
        </head>
        <body>
        {body}
        </body>
        </html>
        """;

    /// <summary>A link, with the text HTML-encoded unless <paramref name="html"/>.</summary>
    public static string Link(string href, string text, bool html = false) =>
        $"<a href=\"{WebUtility.HtmlEncode(href)}\">{(html ? text : WebUtility.HtmlEncode(text))}</a>";

    /// <summary>Plain text of a Markdown title for the tab title (drops emphasis and code marks, keeps TeX).</summary>
    public static string PlainTitle(string markdown) => markdown.Replace("*", "").Replace("`", "");
}
