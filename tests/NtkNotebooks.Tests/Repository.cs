namespace NtkNotebooks.Tests;

internal static class Repository
{
    /// <summary>The folder holding NtkNotebooks.sln, above the test binaries.</summary>
    public static string Root { get; } = FindRoot();

    static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "NtkNotebooks.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("NtkNotebooks.sln not found above the test binaries.");
    }
}
