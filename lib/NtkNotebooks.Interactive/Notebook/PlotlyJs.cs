using Plotly.NET;

namespace NtkNotebooks.Notebook;

/// <summary>
/// The plotly.js that Plotly.NET carries as an embedded resource, as one inline <c>&lt;script&gt;</c> that defines
/// <c>window.Plotly</c>. A notebook's outputs share one document (VS Code's notebook webview, Jupyter viewers), so
/// charts drawn by later outputs find it there: no CDN, no require.js, no network.
/// </summary>
internal static class PlotlyJs
{
    /// <summary>The plotly.js version Plotly.NET was built for (and embeds).</summary>
    public static string Version => Globals.PLOTLYJS_VERSION;

    /// <summary>Marks the script element, so tools (the course site) can recognise and drop it.</summary>
    public const string MarkerAttribute = "data-ntk-plotly-js";

    static readonly Lazy<string> Source = new(ReadSource);

    /// <summary>
    /// A script element that defines <c>window.Plotly</c> unless a previous output already did. plotly.js is a UMD
    /// bundle: where the page has an AMD loader (require.js in classic Jupyter) it would register a module instead of
    /// the global, so the bundle runs in a function whose local <c>define</c>, <c>module</c> and <c>exports</c> are
    /// undefined.
    /// </summary>
    public static string ScriptElement() =>
        $"<script type=\"text/javascript\" {MarkerAttribute}=\"{Version}\">\n" +
        "if (!window.Plotly) (function (define, module, exports) {\n" +
        Source.Value +
        "\n}).call(window);\n</script>";

    static string ReadSource()
    {
        var name = $"Plotly.NET.plotly-{Version}.min.js";
        using var stream = typeof(GenericChart).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"Plotly.NET has no embedded resource '{name}' (its resources: " +
                string.Join(", ", typeof(GenericChart).Assembly.GetManifestResourceNames()) + ").");
        using var reader = new StreamReader(stream);
        // "</script" would end the inline script early; "<\/script" means the same inside any JavaScript literal.
        return reader.ReadToEnd().Replace("</script", "<\\/script", StringComparison.OrdinalIgnoreCase);
    }
}
