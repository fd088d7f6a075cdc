using ColorCode;

namespace NtkNotebooks.Runner.Site;

/// <summary>C# code cells as highlighted HTML, rendered here with ColorCode (CSS classes; the colours are in
/// assets/colorcode.css, written by <see cref="Assets"/>).</summary>
public static class CodeHtml
{
    static readonly HtmlClassFormatter Formatter = new();

    /// <summary>A code cell's source as a highlighted <c>&lt;pre&gt;</c> block.</summary>
    public static string ToHtml(string code) => Formatter.GetHtmlString(code, Languages.CSharp);

    /// <summary>The stylesheet for the classes that <see cref="ToHtml"/> emits.</summary>
    public static string Css() => Formatter.GetCSSString();
}
