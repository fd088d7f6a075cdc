using Plotly.NET;
using static TorchSharp.torch;
using CSharpChart = Plotly.NET.CSharp.Chart;
using CSharpExtensions = Plotly.NET.CSharp.GenericChartExtensions;

namespace NtkNotebooks.Plotting;

/// <summary>One line of a line chart.</summary>
/// <param name="Name">Legend entry.</param>
/// <param name="X">Abscissae.</param>
/// <param name="Y">Ordinates (same length).</param>
/// <param name="Dashed">Draw dashed (for guides and predictions).</param>
/// <param name="MarkersOnly">Draw markers without a line (data points, e.g. the training points of a regression).</param>
/// <param name="Color">A CSS colour, so that curves of one quantity (a network, its linearization, their closed form) share
/// it across charts; default: markers-only series black, lines Plotly's colour cycle.</param>
/// <param name="Dotted">Draw dotted (a second kind of prediction beside a dashed one) instead of solid or dashed.</param>
public sealed record Series(string Name, IReadOnlyList<double> X, IReadOnlyList<double> Y, bool Dashed = false, bool MarkersOnly = false,
    string? Color = null, bool Dotted = false)
{
    /// <summary>A dashed guide y = y0 (x / x0)^exponent through (x0, y0), e.g. the n^{-1/2} lines of Figure 1.</summary>
    public static Series PowerLaw(string name, IReadOnlyList<double> x, double exponent, double x0, double y0, string? color = null) =>
        new(name, x, x.Select(v => y0 * Math.Pow(v / x0, exponent)).ToArray(), Dashed: true, Color: color);

    /// <summary>The dashed line of a fitted power law (<see cref="Fits.PowerLaw"/>) over <paramref name="x"/>.</summary>
    public static Series PowerLaw(string name, IReadOnlyList<double> x, PowerLawFit fit, string? color = null)
    {
        ArgumentNullException.ThrowIfNull(fit);
        return new(name, x, x.Select(fit.At).ToArray(), Dashed: true, Color: color);
    }
}

/// <summary>
/// A mean curve with a shaded band from <paramref name="Lower"/> to <paramref name="Upper"/>, e.g. mean +- 2 standard
/// deviations as in the paper's Figure 2.
/// </summary>
/// <param name="Name">Legend entry of the mean (the band shares its legend group).</param>
/// <param name="X">Abscissae.</param>
/// <param name="Mean">The curve.</param>
/// <param name="Lower">Lower edge of the band.</param>
/// <param name="Upper">Upper edge of the band.</param>
/// <param name="Color">A CSS color (e.g. "#1f77b4"); the band is drawn in it at 20% opacity.</param>
/// <param name="Dashed">Draw the mean dashed (predictions) instead of solid (measurements).</param>
public sealed record Band(string Name, IReadOnlyList<double> X, IReadOnlyList<double> Mean, IReadOnlyList<double> Lower,
    IReadOnlyList<double> Upper, string Color, bool Dashed = false)
{
    /// <summary>
    /// Mean +- <paramref name="k"/> standard deviations, cut to [<paramref name="min"/>, <paramref name="max"/>] when the
    /// quantity is bounded (an accuracy in [0, 1], a ratio of norms >= 0), so the band never shows impossible values.
    /// </summary>
    public static Band MeanAndStd(string name, IReadOnlyList<double> x, IReadOnlyList<double> mean, IReadOnlyList<double> std,
        string color, double k = 2, bool dashed = false, double min = double.NegativeInfinity, double max = double.PositiveInfinity)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(std);
        if (!(min < max)) throw new ArgumentException($"min ({min}) must be below max ({max}).", nameof(min));
        return new(name, x, mean, mean.Zip(std, (m, s) => Math.Clamp(m - k * s, min, max)).ToArray(),
            mean.Zip(std, (m, s) => Math.Clamp(m + k * s, min, max)).ToArray(), color, dashed);
    }
}

/// <summary>Plotly chart builders for the course: every chart titled, with axis labels and a legend.</summary>
public static class Charts
{
    /// <summary>A kernel matrix as a heatmap, row 0 at the top (like a printed matrix).</summary>
    /// <param name="kernel">A [N1, N2] tensor (any float dtype).</param>
    /// <param name="title">Chart title.</param>
    /// <param name="rowLabels">Optional labels of the rows; default 0..N1-1.</param>
    /// <param name="columnLabels">Optional labels of the columns; default the row labels when square.</param>
    /// <param name="colorRange">The values at the two ends of the colour scale. Give heatmaps that are compared by eye (an
    /// empirical kernel beside its limit) the same range; default each heatmap's own minimum and maximum. A range with
    /// both signs is drawn on a diverging scale symmetric about 0: positive blue, negative red, grey near 0.</param>
    public static GenericChart Heatmap(Tensor kernel, string title, IReadOnlyList<string>? rowLabels = null, IReadOnlyList<string>? columnLabels = null,
        (double Min, double Max)? colorRange = null)
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
        var (min, max) = colorRange ?? (values.Min(r => r.Min()), values.Max(r => r.Max()));
        if (colorRange is not null && !(min < max))
            throw new ArgumentException($"colorRange.Min ({min}) must be below colorRange.Max ({max}).", nameof(colorRange));
        var signed = min < 0 && max > 0;
        if (signed) (min, max) = (-Math.Max(-min, max), Math.Max(-min, max)); // a diverging scale, centred on 0
        // Plotly.NET.CSharp's Heatmap has no zmin/zmax arguments; they are plain properties of the trace.
        foreach (var trace in GenericChart.getTraces(chart))
        {
            if (colorRange is not null || signed)
            {
                trace.SetProperty("zmin", min);
                trace.SetProperty("zmax", max);
            }
            if (signed)
            {
                trace.SetProperty("colorscale", "RdBu");
                trace.SetProperty("reversescale", true); // Plotly's RdBu runs blue to red; reversed: positive blue, negative red
            }
        }
        return Framed(chart, title, 560, 500);
    }

    /// <summary>
    /// Lines (with markers) sharing axes, over optional shaded <paramref name="bands"/>; set <paramref name="logX"/>/
    /// <paramref name="logY"/> for log axes, and <paramref name="xRange"/>/<paramref name="yRange"/> (in data units, also
    /// on log axes) to cut an axis (modes that decay by 45 decades) or to make room at its ends (a line on the border).
    /// </summary>
    public static GenericChart Lines(string title, string xTitle, string yTitle, IEnumerable<Series> series, bool logX = false, bool logY = false,
        IEnumerable<Band>? bands = null, (double Min, double Max)? xRange = null, (double Min, double Max)? yRange = null)
    {
        ArgumentNullException.ThrowIfNull(series);
        // A band is two thin edge lines without legend entries, the upper one filled down to the lower one; the edges
        // keep overlapping bands apart. Every fill is drawn before every mean, so no band tints another band's curve.
        var bandList = (bands ?? []).ToArray();
        foreach (var b in bandList)
            if (new[] { b.Mean.Count, b.Lower.Count, b.Upper.Count }.Any(c => c != b.X.Count))
                throw new ArgumentException($"Band '{b.Name}' has {b.X.Count} x values but {b.Mean.Count}/{b.Lower.Count}/{b.Upper.Count} mean/lower/upper values.", nameof(bands));
        var fills = bandList.SelectMany(b => new[]
        {
            CSharpChart.Line<double, double, string>(b.X, b.Lower, Name: b.Name + " (lower)", ShowLegend: false, LineWidth: 0.8, LineColor: Color.fromString(b.Color),
                LineDash: b.Dashed ? StyleParam.DrawingStyle.Dash : StyleParam.DrawingStyle.Dot),
            CSharpChart.Line<double, double, string>(b.X, b.Upper, Name: b.Name + " (upper)", ShowLegend: false, LineWidth: 0.8, LineColor: Color.fromString(b.Color),
                LineDash: b.Dashed ? StyleParam.DrawingStyle.Dash : StyleParam.DrawingStyle.Dot,
                Fill: StyleParam.Fill.ToNext_y, FillColor: Color.fromString(Translucent(b.Color))),
        });
        var means = bandList.Select(b => CSharpChart.Line<double, double, string>(b.X, b.Mean, Name: b.Name, LineColor: Color.fromString(b.Color),
            LineDash: b.Dashed ? StyleParam.DrawingStyle.Dash : StyleParam.DrawingStyle.Solid));
        var shaded = fills.Concat(means);
        var lines = series.ToArray();
        var traces = shaded.Concat(lines.Select(SeriesTrace)).ToArray();
        if (traces.Length == 0) throw new ArgumentException("Give at least one series.", nameof(series));
        var chart = CSharpChart.Combine(traces);
        chart = CSharpExtensions.WithXAxisStyle<double, double, string>(chart, TitleText: xTitle, AxisType: logX ? StyleParam.AxisType.Log : StyleParam.AxisType.Linear);
        chart = CSharpExtensions.WithYAxisStyle<double, double, string>(chart, TitleText: yTitle, AxisType: logY ? StyleParam.AxisType.Log : StyleParam.AxisType.Linear);
        var xTicks = logX ? LogTicks(lines.Select(s => s.X).Concat(bandList.Select(b => b.X))) : null;
        var yTicks = logY ? RoundTicks(lines.Select(s => s.Y).Concat(bandList.SelectMany(b => new[] { b.Lower, b.Upper }))) : null;
        StyleAxis(AxisObject(chart, "xaxis"), xRange, logX, nameof(xRange), xTicks, tickText: null);
        StyleAxis(AxisObject(chart, "yaxis"), yRange, logY, nameof(yRange), yTicks, yTicks?.Select(TickText).ToArray());
        if (bands is null) return Framed(chart, title, 720, 460);
        // Band charts have long legends: under the plot, so the plot keeps its width.
        chart = CSharpExtensions.WithLegendStyle(chart, Orientation: StyleParam.Orientation.Horizontal, Y: -0.22, YAnchor: StyleParam.YAnchorPosition.Top);
        return Framed(chart, title, 820, 620);
    }

    /// <summary>
    /// A probability-density histogram of <paramref name="samples"/> with a reference density curve drawn over it
    /// (e.g. the Gaussian that theory predicts) and optional further <paramref name="curves"/> (e.g. a mixture).
    /// </summary>
    /// <param name="title">Chart title.</param>
    /// <param name="xTitle">Title of the x axis (the sampled quantity).</param>
    /// <param name="samples">The draws to histogram.</param>
    /// <param name="samplesName">Legend entry of the histogram.</param>
    /// <param name="density">The reference density, drawn across the x range.</param>
    /// <param name="densityName">Legend entry of the density.</param>
    /// <param name="bins">Number of bins across the x range (Plotly picks nearby round bin edges).</param>
    /// <param name="xRange">The x axis' range; give histograms compared side by side the same one, so that their bins
    /// have the same width and their spreads compare by eye. Default: the samples' own range.</param>
    /// <param name="curves">Further curves over the histogram, e.g. a mixture of densities (dashed).</param>
    public static GenericChart HistogramWithDensity(string title, string xTitle, IReadOnlyList<double> samples, string samplesName,
        Func<double, double> density, string densityName, int bins = 40, (double Min, double Max)? xRange = null, IEnumerable<Series>? curves = null)
    {
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(density);
        if (samples.Count == 0) throw new ArgumentException("Give at least one sample.", nameof(samples));
        if (bins < 1) throw new ArgumentOutOfRangeException(nameof(bins), bins, "Give at least one bin.");
        var (sampleLo, sampleHi) = (samples.Min(), samples.Max());
        var (lo, hi) = xRange ?? (sampleLo, sampleHi);
        if (!(lo < hi)) throw new ArgumentException($"xRange.Min ({lo}) must be below xRange.Max ({hi}).", nameof(xRange));
        // Plotly spreads NBinsX bins over the samples' own range: scale the count so the bins are (hi - lo) / bins wide.
        var sampleBins = Math.Max(1, (int)Math.Round(bins * (sampleHi - sampleLo) / (hi - lo)));
        var histogram = CSharpChart.Histogram<double, double, string>(X: samples.ToArray(), Name: samplesName, NBinsX: sampleBins,
            HistNorm: StyleParam.HistNorm.ProbabilityDensity, Opacity: 0.6);
        var grid = Enumerable.Range(0, 201).Select(i => lo + (hi - lo) * i / 200.0).ToArray();
        var curve = CSharpChart.Line<double, double, string>(grid, grid.Select(density).ToArray(), Name: densityName);
        var chart = CSharpChart.Combine([histogram, curve, .. (curves ?? []).Select(SeriesTrace)]);
        chart = xRange is null
            ? CSharpExtensions.WithXAxisStyle<double, double, string>(chart, TitleText: xTitle)
            : CSharpExtensions.WithXAxisStyle<double, double, string>(chart, TitleText: xTitle, MinMax: Tuple.Create(lo, hi));
        chart = CSharpExtensions.WithYAxisStyle<double, double, string>(chart, TitleText: "probability density");
        // The legend under the plot, so that histograms shown side by side have plot areas of the same width.
        chart = CSharpExtensions.WithLegendStyle(chart, Orientation: StyleParam.Orientation.Horizontal, Y: -0.22, YAnchor: StyleParam.YAnchorPosition.Top);
        return Framed(chart, title, 720, 480);
    }

    static GenericChart SeriesTrace(Series s)
    {
        if (s.X.Count != s.Y.Count) throw new ArgumentException($"Series '{s.Name}' has {s.X.Count} x values but {s.Y.Count} y values.", "series");
        if (s.MarkersOnly)
            return CSharpChart.Point<double, double, string>(s.X, s.Y, Name: s.Name, MarkerColor: Color.fromString(s.Color ?? "black"));
        var dash = s.Dotted ? StyleParam.DrawingStyle.Dot : s.Dashed ? StyleParam.DrawingStyle.Dash : StyleParam.DrawingStyle.Solid;
        var predicted = s.Dashed || s.Dotted;
        return s.Color is null
            ? CSharpChart.Line<double, double, string>(s.X, s.Y, Name: s.Name, ShowMarkers: !predicted, LineDash: dash)
            : CSharpChart.Line<double, double, string>(s.X, s.Y, Name: s.Name, ShowMarkers: !predicted, LineDash: dash,
                LineColor: Color.fromString(s.Color), MarkerColor: Color.fromString(s.Color));
    }

    static void StyleAxis(DynamicObj.DynamicObj axis, (double Min, double Max)? range, bool log, string rangeName, double[]? ticks, string[]? tickText)
    {
        // Plotly's default writes 2e-4 as "200µ": SI prefixes misread on errors and losses, so use powers of ten.
        axis.SetProperty("exponentformat", "power");
        if (range is var (lo, hi))
        {
            if (!(lo < hi) || (log && !(lo > 0)))
                throw new ArgumentException($"{rangeName} must have Min < Max{(log ? " and Min > 0 on a log axis" : "")}, but is ({lo}, {hi}).", rangeName);
            // Plotly gives a log axis' range in powers of ten.
            axis.SetProperty("range", log ? new[] { Math.Log10(lo), Math.Log10(hi) } : new[] { lo, hi });
        }
        if (ticks is not null) axis.SetProperty("tickvals", ticks);
        if (tickText is not null) axis.SetProperty("ticktext", tickText);
    }

    // The distinct abscissae when they are few (the widths of a sweep), so a log axis is labelled where the data are;
    // null for dense abscissae (training steps), which keep Plotly's own ticks.
    static double[]? LogTicks(IEnumerable<IReadOnlyList<double>> abscissae)
    {
        var distinct = abscissae.SelectMany(x => x).Where(v => v > 0).Distinct().Order().ToArray();
        return distinct.Length is >= 2 and <= 10 ? distinct : null;
    }

    // On a log axis spanning less than three decades Plotly labels one power of ten and writes the rest as bare digits
    // ("2", "5"), which read the same above and below it. Label 1-2-5 values (1-2-3-5 or 1-9 on shorter axes) in full.
    static double[]? RoundTicks(IEnumerable<IReadOnlyList<double>> ordinates)
    {
        var values = ordinates.SelectMany(y => y).Where(v => v > 0 && double.IsFinite(v)).ToArray();
        if (values.Length == 0) return null;
        var (lo, hi) = (values.Min(), values.Max());
        if (Math.Log10(hi / lo) > 3) return null;
        double[] InRange(IEnumerable<int> mantissas) =>
            Enumerable.Range((int)Math.Floor(Math.Log10(lo)), (int)Math.Floor(Math.Log10(hi)) - (int)Math.Floor(Math.Log10(lo)) + 1)
                .SelectMany(d => mantissas.Select(m => m * Math.Pow(10, d)))
                .Where(v => v >= lo / 1.05 && v <= hi * 1.05).ToArray();
        var ticks = new[] { [1, 2, 5], [1, 2, 3, 5], Enumerable.Range(1, 9).ToArray() }.Select(InRange).FirstOrDefault(t => t.Length >= 3)
            ?? InRange(Enumerable.Range(1, 9));
        return ticks.Length >= 2 ? ticks : null;
    }

    static string TickText(double value) =>
        value is >= 1e-4 and < 1e6
            ? value.ToString("0.#########", System.Globalization.CultureInfo.InvariantCulture)
            : value.ToString("0e0", System.Globalization.CultureInfo.InvariantCulture);

    static DynamicObj.DynamicObj AxisObject(GenericChart chart, string name) =>
        GenericChart.getLayout(chart).TryGetPropertyValue(name) is { Value: DynamicObj.DynamicObj axis }
            ? axis
            : throw new InvalidOperationException($"The chart's layout has no {name} (set by WithXAxisStyle/WithYAxisStyle).");

    // "#rrggbb" at 20% opacity, for the band under a curve of that colour.
    static string Translucent(string color)
    {
        if (color.Length != 7 || color[0] != '#')
            throw new ArgumentException($"Band colors must be \"#rrggbb\", but got \"{color}\".", nameof(color));
        var rgb = Enumerable.Range(0, 3).Select(i => Convert.ToInt32(color.Substring(1 + 2 * i, 2), 16)).ToArray();
        return $"rgba({rgb[0]}, {rgb[1]}, {rgb[2]}, 0.2)";
    }

    /// <summary>Sets the chart's title, wrapped onto lines that fit its width, and its size in pixels.</summary>
    public static GenericChart Framed(GenericChart chart, string title, int width, int height)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(title);
        // Plotly cuts a long title at the plot's edge; its 17 px title font is about 9 px a character.
        var perLine = Math.Max(20, (width - 60) / 9);
        var lines = new List<string>();
        var line = "";
        foreach (var word in title.Split(' '))
        {
            if (line.Length > 0 && line.Length + 1 + word.Length > perLine)
            {
                lines.Add(line);
                line = word;
            }
            else line = line.Length == 0 ? word : line + " " + word;
        }
        lines.Add(line);
        return CSharpExtensions.WithSize(Chart.withTitle(string.Join("<br>", lines), null).Invoke(chart), width, height);
    }

    /// <summary>A [N1, N2] tensor as jagged rows of doubles.</summary>
    public static double[][] ToRows(Tensor matrix)
    {
        using var m = matrix.detach().to(float64).cpu().contiguous();
        var flat = m.data<double>().ToArray();
        var columns = (int)m.shape[1];
        return Enumerable.Range(0, (int)m.shape[0]).Select(i => flat.AsSpan(i * columns, columns).ToArray()).ToArray();
    }

    /// <summary>A tensor's values as a flat array of doubles.</summary>
    public static double[] ToArray(Tensor values)
    {
        using var v = values.detach().to(float64).cpu().contiguous();
        return v.data<double>().ToArray();
    }
}
