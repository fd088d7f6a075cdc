using System.Text.Json;
using NtkNotebooks.Plotting;
using Plotly.NET;
using static TorchSharp.torch;

namespace NtkNotebooks.Interactive.Tests;

public class ChartsTests
{
    static JsonElement Figure(GenericChart chart) => JsonDocument.Parse(GenericChart.toJson(chart)).RootElement;

    [Fact]
    public void Heatmap_SharedColorRange_ReachesTheTrace()
    {
        using var kernel = tensor(new double[] { 1, 0.5, 0.5, 2 }).reshape(2, 2);
        var trace = Figure(Charts.Heatmap(kernel, "K", colorRange: (0.25, 3))).GetProperty("data")[0];
        Assert.Equal(0.25, trace.GetProperty("zmin").GetDouble());
        Assert.Equal(3, trace.GetProperty("zmax").GetDouble());
        Assert.False(Figure(Charts.Heatmap(kernel, "K")).GetProperty("data")[0].TryGetProperty("zmin", out _));
        Assert.Throws<ArgumentException>(() => Charts.Heatmap(kernel, "K", colorRange: (2, 1)));

        // A signed kernel: a diverging scale, symmetric about 0.
        using var signed = tensor(new double[] { 2, -0.5, -0.5, 1 }).reshape(2, 2);
        var diverging = Figure(Charts.Heatmap(signed, "K")).GetProperty("data")[0];
        Assert.Equal(-2, diverging.GetProperty("zmin").GetDouble());
        Assert.Equal(2, diverging.GetProperty("zmax").GetDouble());
        Assert.Equal("RdBu", diverging.GetProperty("colorscale").GetString());
    }

    [Fact]
    public void Series_ColorAndDash_ReachTheTrace()
    {
        double[] x = [1, 2, 3], y = [3, 2, 1];
        var figure = Figure(Charts.Lines("t", "x", "y",
        [
            new Series("network", x, y, Color: "#d62728"),
            new Series("linearized", x, y, Dashed: true, Color: "#d62728"),
            new Series("closed form", x, y, Dotted: true),
            new Series("points", x, y, MarkersOnly: true),
        ]));
        var data = figure.GetProperty("data");
        Assert.Equal("#d62728", data[0].GetProperty("line").GetProperty("color").GetString());
        Assert.Equal("dash", data[1].GetProperty("line").GetProperty("dash").GetString());
        Assert.Equal("dot", data[2].GetProperty("line").GetProperty("dash").GetString());
        Assert.Equal("black", data[3].GetProperty("marker").GetProperty("color").GetString());
    }

    [Fact]
    public void LogAxis_TicksAtFewDistinctAbscissae_AndPowersOfTen()
    {
        double[] widths = [64, 256, 1024], steps = Enumerable.Range(1, 50).Select(i => (double)i).ToArray();
        var sweep = Figure(Charts.Lines("t", "width", "error", [new Series("error", widths, [0.3, 0.15, 0.075])], logX: true, logY: true));
        var xAxis = sweep.GetProperty("layout").GetProperty("xaxis");
        Assert.Equal(widths, xAxis.GetProperty("tickvals").EnumerateArray().Select(v => v.GetDouble()));
        Assert.Equal("power", xAxis.GetProperty("exponentformat").GetString());
        Assert.Equal("power", sweep.GetProperty("layout").GetProperty("yaxis").GetProperty("exponentformat").GetString());

        // Under three decades of y: round values labelled in full, not a bare "2" above and below 0.1.
        var yAxis = sweep.GetProperty("layout").GetProperty("yaxis");
        Assert.Equal([0.1, 0.2, 0.3], yAxis.GetProperty("tickvals").EnumerateArray().Select(v => Math.Round(v.GetDouble(), 12)));
        Assert.Equal(["0.1", "0.2", "0.3"], yAxis.GetProperty("ticktext").EnumerateArray().Select(v => v.GetString()!));

        var training = Figure(Charts.Lines("t", "step", "loss", [new Series("loss", steps, steps)], logX: true));
        Assert.False(training.GetProperty("layout").GetProperty("xaxis").TryGetProperty("tickvals", out _));
    }

    [Fact]
    public void MeanAndStd_ClampsToTheQuantitysRange()
    {
        var band = Band.MeanAndStd("accuracy", [1, 2], [0.1, 0.95], [0.1, 0.1], "#1f77b4", min: 0, max: 1);
        Assert.Equal([0, 0.75], band.Lower.Select(v => Math.Round(v, 12)));
        Assert.Equal([0.3, 1], band.Upper.Select(v => Math.Round(v, 12)));
        Assert.Throws<ArgumentException>(() => Band.MeanAndStd("a", [1], [0], [1], "#1f77b4", min: 1, max: 0));
    }

    [Fact]
    public void LongTitles_WrapToTheChartsWidth_ShortOnesStayOnOneLine()
    {
        double[] x = [1, 2];
        string Title(string t) => Figure(Charts.Lines(t, "x", "y", [new Series("s", x, x)])).GetProperty("layout").GetProperty("title").GetProperty("text").GetString()!;
        Assert.Equal("Loss", Title("Loss"));
        var words = string.Join(" ", Enumerable.Repeat("linearized", 20));
        var lines = Title(words).Split("<br>");
        Assert.True(lines.Length >= 3, Title(words));
        Assert.All(lines, l => Assert.True(l.Length <= (720 - 60) / 9, l));
        Assert.Equal(words, string.Join(" ", lines));
    }

    [Fact]
    public void Bands_AllFillsAreDrawnBeforeAnyMean()
    {
        double[] x = [1, 2], m = [1, 1], sd = [0.1, 0.1];
        var names = Figure(Charts.Lines("t", "x", "y", [new Series("s", x, m)],
                bands: [Band.MeanAndStd("train", x, m, sd, "#1f77b4"), Band.MeanAndStd("test", x, m, sd, "#ff7f0e")]))
            .GetProperty("data").EnumerateArray().Select(t => t.GetProperty("name").GetString()!).ToArray();
        Assert.Equal(["train (lower)", "train (upper)", "test (lower)", "test (upper)", "train", "test", "s"], names);
    }

    [Fact]
    public void Histogram_SharedXRange_ScalesTheBinCountAndDrawsExtraCurves()
    {
        double[] samples = Enumerable.Range(0, 101).Select(i => i / 100.0).ToArray(); // spread 1 of a range 4 wide
        var figure = Figure(Charts.HistogramWithDensity("h", "f", samples, "draws", _ => 0.25, "uniform", bins: 40, xRange: (-2, 2),
            curves: [new Series("mixture", [-2, 2], [0.1, 0.1], Dashed: true)]));
        var data = figure.GetProperty("data");
        Assert.Equal(10, data[0].GetProperty("nbinsx").GetInt32()); // 40 bins across 4 units, 10 across the samples' 1
        Assert.Equal([-2.0, 2.0], figure.GetProperty("layout").GetProperty("xaxis").GetProperty("range").EnumerateArray().Select(v => v.GetDouble()));
        Assert.Equal("mixture", data[2].GetProperty("name").GetString());
        Assert.Throws<ArgumentException>(() => Charts.HistogramWithDensity("h", "f", samples, "d", _ => 0, "u", xRange: (1, 1)));
    }

    [Fact]
    public void AxisRanges_AreGivenInDataUnits_AlsoOnLogAxes()
    {
        double[] x = [1, 10, 100];
        var layout = Figure(Charts.Lines("t", "x", "y", [new Series("s", x, [1, 1e-20, 1e-45])], logX: true, logY: true,
            xRange: (1, 1000), yRange: (1e-6, 2))).GetProperty("layout");
        Assert.Equal([0.0, 3.0], layout.GetProperty("xaxis").GetProperty("range").EnumerateArray().Select(v => Math.Round(v.GetDouble(), 12)));
        Assert.Equal([-6.0, 0.30103], layout.GetProperty("yaxis").GetProperty("range").EnumerateArray().Select(v => Math.Round(v.GetDouble(), 5)));
        Assert.Contains("log axis", Assert.Throws<ArgumentException>(() =>
            Charts.Lines("t", "x", "y", [new Series("s", x, x)], logY: true, yRange: (0, 1))).Message);
    }
}
