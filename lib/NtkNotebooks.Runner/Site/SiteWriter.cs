using System.Text.Json;

namespace NtkNotebooks.Runner.Site;

/// <summary>
/// Writes the static website of the executed course: <c>index.html</c>, one page per notebook, the executed .ipynb
/// files (<c>ipynb/</c>) and <c>assets/</c>. Every link is relative and every script is in the site, so it works
/// opened from disk with no network.
/// </summary>
public static class SiteWriter
{
    /// <summary>The folder, relative to the site's root, holding the copies of the executed notebooks.</summary>
    public const string SourceFolder = "ipynb";

    // Marks a folder as one this class wrote, so that rewriting it may delete what is there.
    const string Marker = ".ntk-course-site";

    /// <summary>Where the site goes by default: <c>site/</c> beside the executed notebooks' folder
    /// (<c>.artifacts/notebooks</c> → <c>.artifacts/site</c>).</summary>
    public static string DefaultDirectory(string executedDirectory)
    {
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(executedDirectory));
        return Path.Combine(Path.GetDirectoryName(full) ?? full, "site");
    }

    /// <summary>The site of a run: the notebooks the runner executed, with their results, in the run's order.</summary>
    public static string Write(IReadOnlyList<NotebookResult> results, string siteDirectory) =>
        Write(results.Where(r => File.Exists(r.ExecutedNotebook))
            .Select(r => new SiteNotebook(ExecutedNotebook.Load(r.ExecutedNotebook), r)).ToList(), siteDirectory);

    /// <summary>
    /// The site of a folder of executed notebooks (<c>--site-only</c>): every .ipynb in it, in name order, with the
    /// results in its summary.json where the runner recorded them.
    /// </summary>
    public static string WriteFromFolder(string executedDirectory, string siteDirectory)
    {
        var notebooks = Directory.GetFiles(executedDirectory, "*.ipynb").Order(StringComparer.Ordinal).ToList();
        if (notebooks.Count == 0) throw new FileNotFoundException($"No executed notebooks (*.ipynb) in '{executedDirectory}': run the course first.");
        var summary = Path.Combine(executedDirectory, "summary.json");
        var results = File.Exists(summary)
            ? JsonSerializer.Deserialize<List<NotebookResult>>(File.ReadAllText(summary)) ?? []
            : [];
        return Write(notebooks.Select(path => new SiteNotebook(ExecutedNotebook.Load(path),
            results.LastOrDefault(r => r.Notebook == Path.GetFileName(path)))).ToList(), siteDirectory);
    }

    /// <summary>Writes the site (replacing a site written before in that folder) and returns the index's path.</summary>
    /// <exception cref="IOException">The folder holds files but is not a site written by this class.</exception>
    public static string Write(IReadOnlyList<SiteNotebook> notebooks, string siteDirectory)
    {
        if (notebooks.Count == 0) throw new ArgumentException("No executed notebooks to put in the site.", nameof(notebooks));
        siteDirectory = Path.GetFullPath(siteDirectory);
        Clear(siteDirectory);
        Assets.Write(siteDirectory);
        Directory.CreateDirectory(Path.Combine(siteDirectory, SourceFolder));
        string SourceHref(SiteNotebook n) => $"{SourceFolder}/{n.Notebook.FileName}";
        for (var i = 0; i < notebooks.Count; i++)
        {
            var notebook = notebooks[i];
            File.Copy(notebook.Notebook.Path, Path.Combine(siteDirectory, SourceFolder, notebook.Notebook.FileName), overwrite: true);
            var html = NotebookPage.Html(notebook, i > 0 ? notebooks[i - 1] : null, i + 1 < notebooks.Count ? notebooks[i + 1] : null, SourceHref(notebook));
            File.WriteAllText(Path.Combine(siteDirectory, notebook.Notebook.PageName), html);
        }
        var index = Path.Combine(siteDirectory, IndexPage.FileName);
        File.WriteAllText(index, IndexPage.Html(notebooks, SourceHref));
        return index;
    }

    static void Clear(string siteDirectory)
    {
        if (Directory.Exists(siteDirectory) && Directory.EnumerateFileSystemEntries(siteDirectory).Any())
        {
            if (!File.Exists(Path.Combine(siteDirectory, Marker)))
                throw new IOException($"'{siteDirectory}' is not empty and is not a course site written by the runner: choose another folder.");
            Directory.Delete(siteDirectory, recursive: true);
        }
        Directory.CreateDirectory(siteDirectory);
        File.WriteAllText(Path.Combine(siteDirectory, Marker), "Written by NtkNotebooks.Runner (Site/SiteWriter.cs); rewritten on every run.\n");
    }
}
