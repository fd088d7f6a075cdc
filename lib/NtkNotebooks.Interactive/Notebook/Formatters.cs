using System.Net;
using Microsoft.DotNet.Interactive.Formatting;
using NtkNotebooks.Kernels;
using Microsoft.FSharp.Core;
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
        Formatter.Register<CourseEnvironment>((env, writer) => writer.Write($"<div><code>{WebUtility.HtmlEncode(env.ToString())}</code></div>"), HtmlFormatter.MimeType);
        Formatter.SetPreferredMimeTypesFor(typeof(Tensor), HtmlFormatter.MimeType);
        Formatter.SetPreferredMimeTypesFor(typeof(GenericChart), HtmlFormatter.MimeType);
    }

    /// <summary>The chart as a div plus script that loads plotly.js through require.js (as notebook front ends expect).</summary>
    internal static string ChartHtml(GenericChart chart)
    {
        var reference = PlotlyJSReference.NewRequire($"https://cdn.plot.ly/plotly-{Globals.PLOTLYJS_VERSION}.min");
        var options = DisplayOptions.init(null, null, null, null, null, null, FSharpOption<PlotlyJSReference>.Some(reference));
        return GenericChart.toChartHTML(GenericChart.addDisplayOptions(options, chart));
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
