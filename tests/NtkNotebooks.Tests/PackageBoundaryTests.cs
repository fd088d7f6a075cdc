using NtkNotebooks.Kernels;

namespace NtkNotebooks.Tests;

public class PackageBoundaryTests
{
    // The math package knows nothing of notebooks (issue: two packages, as Plotly.NET and Plotly.NET.Interactive):
    // programs and tests that use it load no chart, F# or notebook-host assembly.
    [Fact]
    public void TheMathPackage_ReferencesNoNotebookAssembly()
    {
        var references = typeof(KernelPair).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToArray();
        Assert.Contains("TorchSharp", references);
        Assert.DoesNotContain(references, name =>
            name.StartsWith("Plotly", StringComparison.Ordinal) || name.StartsWith("FSharp", StringComparison.Ordinal)
            || name.StartsWith("Microsoft.DotNet.Interactive", StringComparison.Ordinal) || name == "NtkNotebooks.Interactive");
    }
}
