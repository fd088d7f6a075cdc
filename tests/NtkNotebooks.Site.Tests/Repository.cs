using System.Xml.Linq;
using NtkNotebooks.Runner;

namespace NtkNotebooks.Site.Tests;

internal static class Repository
{
    public static string Root { get; } = CourseRunner.RepositoryRoot(AppContext.BaseDirectory);

    /// <summary>Where these tests write: .artifacts/site-test (CI keeps it; the screenshots are there).</summary>
    public static string Artifacts { get; } = Path.Combine(Root, ".artifacts", "site-test");

    /// <summary>The library version notebooks reference (Directory.Build.props, NtkVersion).</summary>
    public static string LibraryVersion { get; } =
        XDocument.Load(Path.Combine(Root, "Directory.Build.props")).Descendants("NtkVersion").Single().Value;
}
