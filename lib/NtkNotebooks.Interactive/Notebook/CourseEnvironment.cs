using System.Reflection;
using NtkNotebooks.Platform;
using TorchSharp;

namespace NtkNotebooks;

/// <summary>What <see cref="Course.Init"/> set up, shown as the first cell's output.</summary>
/// <param name="LibraryVersion">NtkNotebooks version and the commit it was built from.</param>
/// <param name="TorchSharpVersion">TorchSharp assembly version.</param>
/// <param name="Threads">Torch intra-op threads.</param>
/// <param name="Device"><see cref="Course.Device"/> at the time of the call: "cpu", or "cuda:0 (GPU name, memory)".</param>
/// <param name="Backend">The TorchSharp backend the library was built with (cpu, cuda, external).</param>
/// <param name="LibTorchDirectory">Where libtorch was loaded from (null when TorchSharp's own loader found it).</param>
/// <param name="PatchedNativeFiles">Native files the GLIBCXX fix changed in this call (usually none).</param>
/// <param name="NotebookFormatters">Whether HTML formatters were registered (true inside a notebook host).</param>
/// <param name="PaperSizes">The course-wide size switch, <see cref="Course.PaperSizes"/>.</param>
public sealed record CourseEnvironment(string LibraryVersion, string TorchSharpVersion, int Threads, string Device,
    string Backend, string? LibTorchDirectory, IReadOnlyList<string> PatchedNativeFiles, bool NotebookFormatters, bool PaperSizes)
{
    internal static CourseEnvironment Describe(IReadOnlyList<string> patched, bool formatters, torch.Device device)
    {
        var version = typeof(Course).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "?";
        var torchVersion = typeof(torch).Assembly.GetName().Version?.ToString() ?? "?";
        return new CourseEnvironment(version, torchVersion, torch.get_num_threads(), TorchRuntime.Describe(device),
            TorchRuntime.Backend, TorchRuntime.LibTorchDirectory, patched, formatters, Course.PaperSizes);
    }

    /// <inheritdoc/>
    public override string ToString() =>
        $"NtkNotebooks {LibraryVersion} | TorchSharp {TorchSharpVersion} ({Backend} build) on {Device}, {Threads} threads | " +
        (Backend == "external" ? $"libtorch from {LibTorchDirectory} | " : "") +
        $"sizes: {(PaperSizes ? "paper (Course.PaperSizes = true)" : "quick (set Course.PaperSizes = true for the paper's)")}" +
        (PatchedNativeFiles.Count > 0 ? $" | applied the GLIBCXX fix to {PatchedNativeFiles.Count} native file(s)" : "");
}
