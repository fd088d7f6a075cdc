using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.CSharp;
using Microsoft.DotNet.Interactive.PackageManagement;

namespace NtkNotebooks.Runner;

/// <summary>
/// The C# kernel as the stock hosts (Polyglot Notebooks' dotnet-interactive, dotnet-repl) build it:
/// #r "nuget:" and #i, display()/HTML() helpers, #!who, #!set/#!share, #!import. Same engine version.
/// </summary>
internal static class NotebookKernel
{
    public static CompositeKernel Create()
    {
        var csharp = new CSharpKernel()
            .UseNugetDirective((kernel, resolved) =>
            {
                kernel.AddAssemblyReferences(resolved.SelectMany(r => r.AssemblyPaths));
                return Task.CompletedTask;
            }, forceRestore: false)
            .UseKernelHelpers()
            .UseWho()
            .UseValueSharing();

        var composite = new CompositeKernel();
        composite.Add(csharp, ["c#", "C#"]);
        composite.DefaultKernelName = csharp.Name;
        composite.UseImportMagicCommand();
        return composite;
    }
}
