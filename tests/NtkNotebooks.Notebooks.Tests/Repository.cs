using System.Xml.Linq;
using NtkNotebooks.Runner;

namespace NtkNotebooks.Notebooks.Tests;

internal static class Repository
{
    public static string Root { get; } = CourseRunner.RepositoryRoot(AppContext.BaseDirectory);

    public static IReadOnlyList<string> Notebooks => CourseRunner.CourseNotebooks(Root);

    /// <summary>The library version every notebook must reference (Directory.Build.props, NtkVersion).</summary>
    public static string LibraryVersion { get; } =
        XDocument.Load(Path.Combine(Root, "Directory.Build.props")).Descendants("NtkVersion").Single().Value;

    public static TheoryData<string> NotebookNames()
    {
        var data = new TheoryData<string>();
        foreach (var path in Notebooks) data.Add(Path.GetFileName(path));
        return data;
    }
}
