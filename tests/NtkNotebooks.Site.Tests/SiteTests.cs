using System.Text.RegularExpressions;
using NtkNotebooks.Runner.Site;

namespace NtkNotebooks.Site.Tests;

[CollectionDefinition(Name)]
public sealed class ProbeCourseCollection : ICollectionFixture<ProbeCourse>
{
    public const string Name = "probe course";
}

/// <summary>The site's files, without a browser: pages, sources, assets, links, and plotly.js carried once.</summary>
[Collection(ProbeCourseCollection.Name)]
public sealed partial class SiteTests(ProbeCourse course)
{
    [Fact]
    public void TheRunnerExecutedTheProbes() =>
        Assert.All(course.Results, r => Assert.True(r.Passed, r.Describe()));

    [Fact]
    public void TheSiteHasAnIndex_APagePerNotebook_TheirSources_AndItsAssets()
    {
        Assert.True(File.Exists(course.Index));
        foreach (var name in new[] { ProbeCourse.ChartNotebook, ProbeCourse.TextNotebook })
        {
            Assert.True(File.Exists(course.Page(name)), name);
            Assert.True(File.Exists(Path.Combine(course.SiteDirectory, SiteWriter.SourceFolder, name + ".ipynb")), name);
        }
        foreach (var asset in new[] { "plotly.min.js", "katex/katex.min.js", "katex/katex.min.css", "katex/LICENSE", "katex/fonts/KaTeX_Main-Regular.woff2", "site.js", "site.css", "colorcode.css" })
            Assert.True(File.Exists(Path.Combine(course.SiteDirectory, Assets.Folder, asset)), asset);
    }

    [Fact]
    public void EveryRelativeLinkResolves_AndNoScriptOrStylesheetComesFromTheNetwork()
    {
        var checkedLinks = 0;
        foreach (var page in Directory.GetFiles(course.SiteDirectory, "*.html"))
        {
            var html = File.ReadAllText(page);
            foreach (Match link in LinkAttribute().Matches(html))
            {
                var target = System.Net.WebUtility.HtmlDecode(link.Groups["url"].Value);
                if (Regex.IsMatch(target, "^([a-z]+:|#)", RegexOptions.IgnoreCase))
                {
                    Assert.False(link.Groups["tag"].Value is "script" or "link" && target.StartsWith("http", StringComparison.OrdinalIgnoreCase),
                        $"{Path.GetFileName(page)} loads {target} from the network.");
                    continue;
                }
                var file = Path.Combine(course.SiteDirectory, Uri.UnescapeDataString(target.Split('#', '?')[0]));
                Assert.True(File.Exists(file), $"{Path.GetFileName(page)} links to {target}, which does not exist.");
                checkedLinks++;
            }
        }
        Assert.True(checkedLinks > 10, $"only {checkedLinks} relative links checked");
    }

    [Fact]
    public void TheIndexLists_TitleSummaryClaimAndRunTime()
    {
        var index = File.ReadAllText(course.Index);
        Assert.Contains("01 · Probe: one chart and one formula", index);
        Assert.Contains("A probe of the course site, with inline math", index);
        // One line per claim, in the order the notebook checked them.
        Assert.Contains("<ul class=\"claims\"><li>probe count = 3, expected &gt;= 2</li><li>probe value = 0.5, expected in [0, 1]</li></ul>", index);
        Assert.Contains("✓ passed", index);
        Assert.Matches(@"\d+\.\d s</td>", index);
        Assert.Contains("href=\"01-probe-chart.html\"", index);
        Assert.Contains("href=\"ipynb/01-probe-chart.ipynb\"", index);
    }

    [Fact]
    public void TheExecutedNotebookCarriesPlotlyJsOnce_WithoutCdnOrRequireJs_AndThePageDropsIt()
    {
        var executed = File.ReadAllText(Path.Combine(course.ExecutedDirectory, ProbeCourse.ChartNotebook + ".ipynb"));
        Assert.Single(Regex.Matches(executed, "data-ntk-plotly-js"));
        Assert.DoesNotContain("requirejs", executed);
        Assert.DoesNotContain("cdn.plot.ly/plotly-", executed);
        Assert.Contains("window.Plotly.newPlot", executed);

        var page = File.ReadAllText(course.Page(ProbeCourse.ChartNotebook));
        Assert.DoesNotContain("data-ntk-plotly-js", page);
        Assert.True(page.Length < 200_000, $"the page is {page.Length} characters: plotly.js belongs in assets/");
    }

    [Fact]
    public void PagesLinkToThePreviousAndNextNotebook()
    {
        Assert.Contains("href=\"02-probe-text.html\"", File.ReadAllText(course.Page(ProbeCourse.ChartNotebook)));
        Assert.Contains("href=\"01-probe-chart.html\"", File.ReadAllText(course.Page(ProbeCourse.TextNotebook)));
    }

    [GeneratedRegex("<(?<tag>a|script|link|img)\\b[^>]*?\\s(?:href|src)=\"(?<url>[^\"]*)\"", RegexOptions.IgnoreCase)]
    private static partial Regex LinkAttribute();
}
