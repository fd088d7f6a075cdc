using Plotly.NET;
using Plotly.NET.LayoutObjects;
using static TorchSharp.torch;
using CSharpChart = Plotly.NET.CSharp.Chart;

namespace NtkNotebooks.Plotting;

/// <summary>Plotly chart builders for the course: titled, labelled, ready to display.</summary>
public static class Charts
{
    /// <summary>A kernel matrix as a heatmap, row 0 at the top (like a printed matrix).</summary>
    /// <param name="kernel">A [N1, N2] tensor (any float dtype).</param>
    /// <param name="title">Chart title.</param>
    /// <param name="rowLabels">Optional labels of the rows (e.g. digit classes); default 0..N1-1.</param>
    /// <param name="columnLabels">Optional labels of the columns; default the row labels when square.</param>
    public static GenericChart Heatmap(Tensor kernel, string title, IReadOnlyList<string>? rowLabels = null, IReadOnlyList<string>? columnLabels = null)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        if (kernel.dim() != 2)
            throw new ArgumentException($"kernel must be a matrix [N1, N2], but has shape {Guard.Shape(kernel)}.", nameof(kernel));
        var values = ToRows(kernel);
        var rows = rowLabels ?? Enumerable.Range(0, values.Length).Select(i => i.ToString()).ToArray();
        var columns = columnLabels ?? (kernel.shape[0] == kernel.shape[1] ? rows : Enumerable.Range(0, (int)kernel.shape[1]).Select(i => i.ToString()).ToArray());
        if (rows.Count != kernel.shape[0] || columns.Count != kernel.shape[1])
            throw new ArgumentException($"Expected {kernel.shape[0]} row labels and {kernel.shape[1]} column labels, got {rows.Count} and {columns.Count}.");
        var chart = CSharpChart.Heatmap<double, string, string, string>(values, X: columns.ToArray(), Y: rows.ToArray(), ReverseYAxis: true);
        return Plotly.NET.CSharp.GenericChartExtensions.WithSize(Titled(chart, title), 560, 500);
    }

    /// <summary>Sets the chart's title.</summary>
    public static GenericChart Titled(GenericChart chart, string title) =>
        Chart.withTitle(title, null).Invoke(chart);

    /// <summary>A [N1, N2] tensor as jagged rows of doubles.</summary>
    public static double[][] ToRows(Tensor matrix)
    {
        using var m = matrix.detach().to(float64).cpu().contiguous();
        var flat = m.data<double>().ToArray();
        var columns = (int)m.shape[1];
        return Enumerable.Range(0, (int)m.shape[0]).Select(i => flat.AsSpan(i * columns, columns).ToArray()).ToArray();
    }
}
