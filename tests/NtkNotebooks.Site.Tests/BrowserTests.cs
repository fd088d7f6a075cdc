using System.Diagnostics;
using System.Text.Json.Nodes;
using NtkNotebooks.Runner.Site;
using PuppeteerSharp;
using Xunit.Abstractions;

namespace NtkNotebooks.Site.Tests;

/// <summary>
/// The site and the notebooks' charts in a real browser (headless Chromium) with the network off: no JavaScript
/// errors, every chart drawn by plotly.js (<c>.main-svg</c>), every formula typeset by KaTeX. Screenshots go to
/// .artifacts/site-test/*.png. Skipped, with the reason, where Chromium is not installed.
/// </summary>
[Collection(ProbeCourseCollection.Name)]
public sealed class BrowserTests(ProbeCourse course, ITestOutputHelper log)
{
    static readonly TimeSpan RenderTimeout = TimeSpan.FromSeconds(30);

    [SkippableFact]
    public async Task EveryPageOfTheSite_RendersOffline_WithChartsDrawn_AndMathTypeset()
    {
        Skip.If(Chromium.Executable is null, Chromium.NotInstalled);
        var clock = Stopwatch.StartNew();
        await using var browser = await Chromium.LaunchAsync(Path.Combine(Repository.Artifacts, "chromium-profile-site"));
        foreach (var file in Directory.GetFiles(course.SiteDirectory, "*.html").Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileNameWithoutExtension(file);
            await using var page = await OfflinePage.OpenAsync(browser);
            await page.Page.GoToAsync(new Uri(file).AbsoluteUri, WaitUntilNavigation.Load);
            var rendering = await page.WaitForChartsAsync(RenderTimeout);
            log.WriteLine($"{name}: {rendering}");

            Assert.Empty(page.Errors);
            Assert.Empty(page.NetworkRequests);
            Assert.Equal(rendering.Charts, rendering.DrawnCharts);
            Assert.Equal(rendering.Formulas, rendering.TypesetFormulas);
            Assert.Equal(0, rendering.KatexErrors);
            Assert.False(rendering.RawDisplayMath, $"{name}: '$$' left untypeset");
            if (name == ProbeCourse.ChartNotebook)
            {
                Assert.Equal(1, rendering.Charts);
                Assert.Equal(3, rendering.TypesetFormulas); // inline, in the table, and the two-line display formula
            }
            if (name is "index" or ProbeCourse.ChartNotebook)
                await page.Page.ScreenshotAsync(Path.Combine(Repository.Artifacts, name + ".png"), new ScreenshotOptions { FullPage = true });
        }
        log.WriteLine($"browser checks: {clock.Elapsed.TotalSeconds:F1} s");
    }

    /// <summary>
    /// The executed notebook's own outputs in one document, inserted as VS Code's notebook renderer does (innerHTML,
    /// then each script re-created so it runs) on a page with an AMD loader (as classic Jupyter has require.js), and
    /// the chart first, before the output of <c>Course.Init()</c> (as when VS Code opens a notebook scrolled down): the
    /// chart waits, then draws with the plotly.js that Init's output defines as <c>window.Plotly</c>.
    /// </summary>
    [SkippableFact]
    public async Task ANotebooksCharts_DrawWithThePlotlyJsThatInitsOutputCarries_InWhateverOrderOutputsRender()
    {
        Skip.If(Chromium.Executable is null, Chromium.NotInstalled);
        var outputs = ExecutedNotebook.Load(Path.Combine(course.ExecutedDirectory, ProbeCourse.ChartNotebook + ".ipynb"))
            .Cells.SelectMany(c => c.Outputs)
            .Select(o => o["data"] is JsonObject data && data["text/html"] is { } html ? ExecutedNotebook.Text(html) : null)
            .OfType<string>().ToList();
        var plotlyJs = Assert.Single(outputs, o => o.Contains("data-ntk-plotly-js"));
        var charts = outputs.Where(o => o.Contains("ntk-chart")).ToList();
        Assert.Single(charts);

        var document = Path.Combine(Repository.Artifacts, "notebook-document.html");
        await File.WriteAllTextAsync(document, """
            <!DOCTYPE html>
            <html><head><meta charset="utf-8"><script>
            // As in classic Jupyter: an AMD loader, which would make a plain plotly.js register a module, not window.Plotly.
            window.define = function () {}; window.define.amd = {};
            // As VS Code's built-in renderer shows text/html (extensions/notebook-renderers, renderHTML and domEval):
            // innerHTML, then each script re-created from its innerText, appended (so it runs) and removed again.
            function renderOutput(html) {
                var output = document.createElement("div");
                output.innerHTML = html;
                document.body.appendChild(output);
                Array.from(output.getElementsByTagName("script")).forEach(function (node) {
                    var script = document.createElement("script");
                    script.text = node.innerText;
                    if (node.type) script.setAttribute("type", node.type);
                    output.appendChild(script).parentNode.removeChild(script);
                });
            }
            </script></head><body></body></html>
            """);

        await using var browser = await Chromium.LaunchAsync(Path.Combine(Repository.Artifacts, "chromium-profile-notebook"));
        await using var page = await OfflinePage.OpenAsync(browser, height: 700);
        await page.Page.GoToAsync(new Uri(document).AbsoluteUri, WaitUntilNavigation.Load);

        foreach (var chart in charts) await page.Page.EvaluateFunctionAsync("renderOutput", chart);
        await Task.Delay(1500);
        var before = await page.RenderingAsync();
        Assert.Equal(0, before.DrawnCharts);
        Assert.Contains("Waiting for plotly.js", before.Text);

        await page.Page.EvaluateFunctionAsync("renderOutput", plotlyJs);
        var after = await page.WaitForChartsAsync(RenderTimeout);
        log.WriteLine($"before Init's output: {before}; after: {after}");
        Assert.Equal(charts.Count, after.DrawnCharts);
        Assert.DoesNotContain("Waiting for plotly.js", after.Text);
        Assert.True(await page.Page.EvaluateExpressionAsync<bool>("typeof window.Plotly.newPlot === 'function'"));
        Assert.Empty(page.Errors);
        Assert.Empty(page.NetworkRequests);
        await page.Page.ScreenshotAsync(Path.Combine(Repository.Artifacts, "notebook-document.png"), new ScreenshotOptions { FullPage = true });
    }
}
