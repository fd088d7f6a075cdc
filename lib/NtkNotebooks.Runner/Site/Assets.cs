using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace NtkNotebooks.Runner.Site;

/// <summary>
/// The files every page uses, written once under <c>assets/</c>: KaTeX (js, css, fonts; vendored in
/// Site/assets/katex and embedded in this assembly), the site's stylesheet and script, the code-highlighting
/// stylesheet, and plotly.js, taken from Plotly.NET (the same build the notebooks' charts draw with).
/// </summary>
public static class Assets
{
    /// <summary>The folder name, relative to the site's root.</summary>
    public const string Folder = "assets";

    const string ResourcePrefix = "site/";

    /// <summary>Writes every asset under <paramref name="siteDirectory"/>/assets.</summary>
    public static void Write(string siteDirectory)
    {
        var root = Path.Combine(siteDirectory, Folder);
        var assembly = typeof(Assets).Assembly;
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            var path = Path.Combine(root, name[ResourcePrefix.Length..].Replace('\\', '/'));
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            using var source = assembly.GetManifestResourceStream(name)!;
            using var target = File.Create(path);
            source.CopyTo(target);
        }
        File.WriteAllText(Path.Combine(root, "colorcode.css"), CodeHtml.Css());
        foreach (var (name, bytes) in PlotlyJs())
            File.WriteAllBytes(Path.Combine(root, name), bytes);
    }

    /// <summary>
    /// plotly.min.js and its license file, read from the resources of Plotly.NET.dll (copied beside this program by
    /// the build) without loading that assembly.
    /// </summary>
    public static IEnumerable<(string FileName, byte[] Bytes)> PlotlyJs()
    {
        var dll = Path.Combine(Path.GetDirectoryName(typeof(Assets).Assembly.Location)!, "plotly", "Plotly.NET.dll");
        if (!File.Exists(dll))
            throw new FileNotFoundException($"Plotly.NET.dll, whose plotly.js the site uses, is not at '{dll}': rebuild the runner.", dll);
        using var pe = new PEReader(File.OpenRead(dll));
        var metadata = pe.GetMetadataReader();
        var resources = pe.GetSectionData(pe.PEHeaders.CorHeader!.ResourcesDirectory.RelativeVirtualAddress);
        var found = new List<(string, byte[])>();
        foreach (var handle in metadata.ManifestResources)
        {
            var resource = metadata.GetManifestResource(handle);
            var name = metadata.GetString(resource.Name);
            var fileName = name.EndsWith(".min.js", StringComparison.Ordinal) ? "plotly.min.js"
                : name.EndsWith(".min.js.LICENSE.txt", StringComparison.Ordinal) ? "plotly.min.js.LICENSE.txt"
                : null;
            if (fileName is null || !name.StartsWith("Plotly.NET.plotly-", StringComparison.Ordinal) || !resource.Implementation.IsNil) continue;
            // An embedded resource is a 4-byte length followed by the bytes, at its offset in the resources section.
            var reader = resources.GetReader((int)resource.Offset, resources.Length - (int)resource.Offset);
            found.Add((fileName, reader.ReadBytes(reader.ReadInt32())));
        }
        if (!found.Any(f => f.Item1 == "plotly.min.js"))
            throw new InvalidDataException($"'{dll}' embeds no plotly-*.min.js.");
        return found;
    }
}
