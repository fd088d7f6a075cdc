using System.Net;
using Microsoft.DotNet.Interactive.Formatting;
using NtkNotebooks.Kernels;
using Plotly.NET;
using static TorchSharp.torch;

namespace NtkNotebooks.Notebook;

/// <summary>HTML display of the library's results inside .NET Interactive (registered by <see cref="Course.Init"/>).</summary>
internal static class Formatters
{
    const int MaxShownElements = 400;

    public static void Register()
    {
        Formatter.Register<GenericChart>((chart, writer) => writer.Write(ChartHtml(chart)), HtmlFormatter.MimeType);
        Formatter.Register<Tensor>((tensor, writer) => writer.Write(TensorHtml(tensor)), HtmlFormatter.MimeType);
        Formatter.Register<KernelPair>((pair, writer) =>
            writer.Write($"<div><b>NNGP K</b>{TensorHtml(pair.Nngp)}<b>NTK &Theta;</b>{TensorHtml(pair.Ntk)}</div>"), HtmlFormatter.MimeType);
        Formatter.Register<TorchSharp.torch.nn.Module>((module, writer) => writer.Write($"<div><code>{WebUtility.HtmlEncode(module.ToString())}</code></div>"), HtmlFormatter.MimeType);
        Formatter.Register<ProgressView>((view, writer) => writer.Write(view.Html()), HtmlFormatter.MimeType);
        Formatter.Register<CourseEnvironment>((env, writer) => writer.Write(EnvironmentHtml(env)), HtmlFormatter.MimeType);
        Formatter.SetPreferredMimeTypesFor(typeof(Tensor), HtmlFormatter.MimeType);
        Formatter.SetPreferredMimeTypesFor(typeof(GenericChart), HtmlFormatter.MimeType);
    }

    // Whether an output of this kernel (process) has carried plotly.js yet.
    static bool _plotlyJsShown;

    /// <summary>
    /// What <see cref="Course.Init"/> set up, followed by plotly.js (<see cref="PlotlyJs"/>). Every display of it carries
    /// plotly.js, not only the kernel's first: re-running the first cell replaces its output, and a saved notebook must
    /// still hold one copy for its charts.
    /// </summary>
    internal static string EnvironmentHtml(CourseEnvironment env)
    {
        _plotlyJsShown = true;
        return $"<div><code>{WebUtility.HtmlEncode(env.ToString())}</code></div>\n{PlotlyJs.ScriptElement()}";
    }

    /// <summary>
    /// The chart as a div and a script that draws it with <c>window.Plotly.newPlot(div, data, layout, config)</c>,
    /// the data being Plotly.NET's JSON of the chart. plotly.js comes once per notebook with <see cref="Course.Init"/>'s
    /// output (or with the first chart, when that output was not displayed); until it is there (an output rendered
    /// before the first cell's, as VS Code does when it opens a notebook scrolled down) the script waits and says so.
    /// </summary>
    internal static string ChartHtml(GenericChart chart)
    {
        var id = "ntk-chart-" + Guid.NewGuid().ToString("N");
        // "<" occurs only inside JSON strings, where \u003c means the same and cannot end the script element.
        var figure = GenericChart.toJson(chart).Replace("<", "\\u003c");
        var plotlyJs = _plotlyJsShown ? "" : PlotlyJs.ScriptElement() + "\n";
        _plotlyJsShown = true;
        return $$"""
            {{plotlyJs}}<div class="ntk-chart" id="{{id}}"></div>
            <script type="text/javascript">
            (function () {
                var figure = {{figure}};
                var waited = 0;
                function draw() {
                    var div = document.getElementById("{{id}}");
                    if (!div) return; // the output was cleared
                    if (window.Plotly) { div.textContent = ""; window.Plotly.newPlot(div, figure.data, figure.layout, figure.config); return; }
                    if (waited === 1000) div.textContent = "Waiting for plotly.js, which the output of the notebook's first cell (Course.Init()) carries: scroll up to it, or run it.";
                    waited += 100;
                    setTimeout(draw, 100);
                }
                draw();
            })();
            </script>
            """;
    }

    internal static string TensorHtml(Tensor tensor)
    {
        var header = $"tensor [{string.Join(" x ", tensor.shape)}] {tensor.dtype} on {tensor.device}";
        if (tensor.numel() > MaxShownElements)
        {
            using var t = tensor.detach().to(float64);
            var stats = $"min {t.min().item<double>():G4}, mean {t.mean().item<double>():G4}, max {t.max().item<double>():G4}";
            return $"<div><code>{header}</code>: {stats} (too large to list; index it or chart it)</div>";
        }
        var body = WebUtility.HtmlEncode(tensor.ToString(TorchSharp.TensorStringStyle.Numpy));
        return $"<div><code>{header}</code><pre>{body}</pre></div>";
    }
}
