using System.Text.Json;
using NtkNotebooks.Runner;
using NtkNotebooks.Runner.Site;

namespace NtkNotebooks.Site.Tests;

/// <summary>
/// A two-notebook course, executed by the runner and turned into a site once for the test class: the first notebook
/// loads the library and shows a chart, an HTML table, printed text and formulas; the second has no library (fast)
/// and exists for the previous/next links. Notebooks live under .artifacts/site-test/notebooks, so that the
/// repository's nuget.config (the local feed) is found upward from them, as for the course's own notebooks.
/// </summary>
public sealed class ProbeCourse
{
    public string NotebookDirectory { get; } = Path.Combine(Repository.Artifacts, "notebooks");
    public string ExecutedDirectory { get; } = Path.Combine(Repository.Artifacts, "executed");
    public string SiteDirectory { get; } = Path.Combine(Repository.Artifacts, "site");
    public IReadOnlyList<NotebookResult> Results { get; }
    public string Index { get; }

    public const string ChartNotebook = "01-probe-chart";
    public const string TextNotebook = "02-probe-text";

    public ProbeCourse()
    {
        if (Directory.Exists(Repository.Artifacts)) Directory.Delete(Repository.Artifacts, recursive: true);
        Directory.CreateDirectory(NotebookDirectory);
        var chart = Write(ChartNotebook,
            Markdown("""
                # 01 · Probe: one chart and one formula

                A probe of the course site, with inline math $\Theta(x, x') = J(x)\,J(x')^\top$ and a table:

                | rate | value |
                |---|---|
                | $n^{-1/2}$ | 2 |

                A display formula over two lines:

                $$K^{1} = \sigma_w^2 \frac{x \cdot x'}{n_0} + \sigma_b^2, \qquad
                K^{l+1} = \sigma_w^2\, \mathbb E[\phi(u)\phi(v)] + \sigma_b^2.$$
                """),
            Code($"#r \"nuget: NtkNotebooks.Interactive, {Repository.LibraryVersion}\"\nNtkNotebooks.Course.Init()"),
            Code("using NtkNotebooks.Plotting;\nCharts.Lines(\"A probe chart\", \"x\", \"y\", [new Series(\"squares\", new double[] { 1, 2, 3 }, new double[] { 1, 4, 9 })])"),
            Code("display(HTML(\"<table><tr><th>k</th><th>v</th></tr><tr><td>1</td><td>2</td></tr></table>\"));\nConsole.WriteLine(\"printed text\");"),
            Code("NtkNotebooks.Claim.AtLeast(\"probe count\", 3, 2);\nNtkNotebooks.Claim.Between(\"probe value\", 0.5, 0, 1)"));
        var text = Write(TextNotebook,
            Markdown("# 02 · Probe: text only\n\nNo library here, and a formula in a sentence: $$a^2 + b^2 = c^2$$ for a right triangle."),
            Code("Console.WriteLine(\"hello\");\n1 + 1"));
        Results = CourseRunner.RunCourseAsync([chart, text], ExecutedDirectory, paperSizes: false, TimeSpan.FromMinutes(10), TextWriter.Null)
            .GetAwaiter().GetResult();
        Index = SiteWriter.Write(Results, SiteDirectory);
    }

    public string Page(string notebook) => Path.Combine(SiteDirectory, notebook + ".html");

    string Write(string name, params object[] cells)
    {
        var path = Path.Combine(NotebookDirectory, name + ".ipynb");
        File.WriteAllText(path, JsonSerializer.Serialize(new
        {
            cells,
            metadata = new
            {
                kernelspec = new { display_name = ".NET (C#)", language = "C#", name = ".net-csharp" },
                polyglot_notebook = new { kernelInfo = new { defaultKernelName = "csharp" } },
            },
            nbformat = 4,
            nbformat_minor = 5,
        }));
        return path;
    }

    static object Markdown(string text) => new { cell_type = "markdown", metadata = new { }, source = new[] { text } };

    static object Code(string text) => new
    {
        cell_type = "code",
        execution_count = (int?)null,
        metadata = new { polyglot_notebook = new { kernelName = "csharp" } },
        outputs = Array.Empty<object>(),
        source = new[] { text },
    };
}
