namespace NtkNotebooks.Site.Tests;

/// <summary>Counts of what a page rendered.</summary>
public sealed class Rendering
{
    public const string Script = """
        () => ({
            charts: document.querySelectorAll('.ntk-chart').length,
            drawnCharts: Array.from(document.querySelectorAll('.ntk-chart')).filter(c => c.querySelector('.main-svg')).length,
            formulas: document.querySelectorAll('.math').length,
            typesetFormulas: Array.from(document.querySelectorAll('.math')).filter(m => m.querySelector('.katex')).length,
            katex: document.querySelectorAll('.katex').length,
            katexErrors: document.querySelectorAll('.katex-error').length,
            rawDisplayMath: document.body.innerText.includes('$$'),
            text: document.body.innerText.slice(0, 300),
        })
        """;

    public int Charts { get; set; }
    public int DrawnCharts { get; set; }
    public int Formulas { get; set; }
    public int TypesetFormulas { get; set; }
    public int Katex { get; set; }
    public int KatexErrors { get; set; }
    public bool RawDisplayMath { get; set; }
    public string Text { get; set; } = "";

    public override string ToString() =>
        $"charts {DrawnCharts}/{Charts} drawn, formulas {TypesetFormulas}/{Formulas} typeset ({Katex} .katex, {KatexErrors} errors), raw $$: {RawDisplayMath}";
}
