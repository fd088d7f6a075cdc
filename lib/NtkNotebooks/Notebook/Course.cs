using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Loader;
using NtkNotebooks.Platform;
using TorchSharp;

namespace NtkNotebooks;

/// <summary>
/// Notebook glue: the one call every notebook's first cell makes after referencing the library.
/// <code>
/// #r "nuget: NtkNotebooks, 0.1.0"
/// NtkNotebooks.Course.Init()
/// </code>
/// It makes the stock .NET Interactive hosts (VS Code Polyglot Notebooks, dotnet-repl) work with this stack:
/// Plotly.NET's FSharp.Core, TorchSharp's native library, and display formatters for tensors and charts.
/// </summary>
public static class Course
{
    static readonly object Gate = new();
    static CourseEnvironment? _environment;

    /// <summary>
    /// The course-wide size switch. False (default): CPU-sized experiments that run in about two minutes per notebook.
    /// True: the paper's sizes (PAPER.md "Experiments"), which need a GPU-class machine and hours.
    /// Initialised from the environment variable <c>NTK_PAPER_SIZES</c> (1/true), which the runner's
    /// <c>--paper-sizes</c> option sets; a notebook may also assign it before its experiments.
    /// </summary>
    public static bool PaperSizes { get; set; } = ParseFlag(Environment.GetEnvironmentVariable("NTK_PAPER_SIZES"));

    /// <summary>
    /// A progress observer for <see cref="Training.TrainingOptions.Progress"/>: a progress bar updated in place in a
    /// notebook, a line per tenth of the run on the console elsewhere.
    /// </summary>
    public static IProgress<Training.TrainingProgress> ProgressBar(string title) => new Notebook.ProgressBar(title);

    /// <summary>Picks the quick or the paper's value of a setting according to <see cref="PaperSizes"/>.</summary>
    public static T Size<T>(T quick, T paper) => PaperSizes ? paper : quick;

    /// <summary>
    /// Prepares the process for the course; safe to call more than once. In order: (1) answer requests for
    /// FSharp.Core 10.1 with the host's FSharp.Core (PLATFORM.md §2: Plotly.NET 6 would otherwise fail to load);
    /// (2) on hosts whose libstdc++ lacks GLIBCXX_3.4.32, patch the TorchSharp native library wherever this host
    /// loads it from, load TorchSharp's own libtorch ahead of any system-wide libtorch, then initialise TorchSharp's CPU
    /// backend (§1, §3); (3) register HTML formatters for tensors
    /// and Plotly charts when running inside .NET Interactive.
    /// </summary>
    /// <param name="threads">Torch intra-op threads; default: all cores.</param>
    public static CourseEnvironment Init(int? threads = null)
    {
        if (threads is { } t) Guard.Positive(t, nameof(threads));
        lock (Gate)
        {
            InstallFSharpCoreRedirect();
            var (nativeDirectories, torchSharpPackageRoot) = TorchSharpNativeDirectories();
            var patched = PrepareTorchSharpNative(nativeDirectories);
            PreloadTorchNatives(nativeDirectories, torchSharpPackageRoot);
            InitializeTorch(threads ?? Environment.ProcessorCount);
            var formatters = NotebookFormattersAvailable() && RegisterFormatters();
            _environment = CourseEnvironment.Describe(patched, formatters);
            return _environment;
        }
    }

    static bool _redirectInstalled;

    static void InstallFSharpCoreRedirect()
    {
        if (_redirectInstalled) return;
        AssemblyLoadContext.Default.Resolving += (_, name) =>
            name.Name == "FSharp.Core"
                ? AppDomain.CurrentDomain.GetAssemblies().FirstOrDefault(a => a.GetName().Name == "FSharp.Core")
                : null;
        _redirectInstalled = true;
    }

    const string LibTorchSharp = "libLibTorchSharp.so";

    // Where TorchSharp's native files can be, app-local first: beside an app (or in its runtimes/ folder), or, in a
    // notebook host, in the NuGet package (runtimes/) and the "consolidated" copy TorchSharp makes next to its
    // assembly (cpu/). typeof(torch) loads the managed assembly only; the native library loads in torch's type
    // initializer, which first runs in InitializeTorch, after the files are patched and preloaded.
    static (string[] Directories, string PackageRoot) TorchSharpNativeDirectories()
    {
        var native = Path.Combine("runtimes", "linux-x64", "native");
        var torchDir = Path.GetDirectoryName(typeof(torch).Assembly.Location) ?? AppContext.BaseDirectory;
        var packageRoot = Path.GetFullPath(Path.Combine(torchDir, "..", ".."));
        var directories = new[] { AppContext.BaseDirectory, torchDir }
            .SelectMany(dir => new[] { dir, Path.Combine(dir, native), Path.Combine(dir, "cpu") })
            .Append(Path.Combine(packageRoot, native))
            .Distinct()
            .ToArray();
        return (directories, packageRoot);
    }

    static IReadOnlyList<string> PrepareTorchSharpNative(string[] directories)
    {
        if (!OperatingSystem.IsLinux()) return [];
        try
        {
            return [.. GlibcxxCompat.PatchIfNeeded(directories.Select(d => Path.Combine(d, LibTorchSharp)))];
        }
        catch (UnauthorizedAccessException e)
        {
            throw new InvalidOperationException(
                $"TorchSharp's native library needs a one-byte compatibility fix on this machine (its libstdc++ lacks {GlibcxxCompat.RequiredVersion}), " +
                $"but the file is not writable: {e.Message}. Run the README's build command once, or see README, Troubleshooting.", e);
        }
    }

    // In an interactive host TorchSharp first loads "torch_cpu" by name, which the dynamic loader resolves to any
    // system-wide libtorch (Debian's python3-torch installs libtorch 1.13 in /usr/lib), and its own library then fails
    // against it. Loading TorchSharp's libtorch and LibTorchSharp by full path first makes every later by-name load
    // (which glibc matches by soname) get these. In apps with the natives beside them this changes nothing.
    static void PreloadTorchNatives(string[] directories, string torchSharpPackageRoot)
    {
        if (!OperatingSystem.IsLinux()) return;
        // libtorch comes from its own package, libtorch-cpu-linux-x64/<version>/, beside torchsharp/<version>/ in the NuGet cache.
        var packagesRoot = Path.GetFullPath(Path.Combine(torchSharpPackageRoot, "..", ".."));
        var libtorchPackage = Path.Combine(packagesRoot, "libtorch-cpu-linux-x64");
        var packageDirs = Directory.Exists(libtorchPackage)
            ? Directory.GetDirectories(libtorchPackage)
                .OrderByDescending(d => Version.TryParse(Path.GetFileName(d), out var v) ? v : new Version())
                .Select(d => Path.Combine(d, "runtimes", "linux-x64", "native"))
            : [];
        var libtorchDir = directories.Concat(packageDirs).FirstOrDefault(d => File.Exists(Path.Combine(d, "libtorch_cpu.so")));
        var libTorchSharp = directories.Select(d => Path.Combine(d, LibTorchSharp)).FirstOrDefault(File.Exists);
        if (libtorchDir is null || libTorchSharp is null) return; // unusual layout: leave it to TorchSharp's own loader
        foreach (var path in new[] { "libc10.so", "libtorch_cpu.so", "libtorch.so" }.Select(f => Path.Combine(libtorchDir, f)).Append(libTorchSharp))
        {
            try
            {
                System.Runtime.InteropServices.NativeLibrary.Load(path);
            }
            catch (DllNotFoundException e)
            {
                throw new InvalidOperationException($"Could not load TorchSharp's native library '{path}': {e.Message} See README, Troubleshooting.", e);
            }
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    static void InitializeTorch(int threads)
    {
        torch.InitializeDeviceType(DeviceType.CPU);
        torch.set_num_threads(threads);
    }

    static bool NotebookFormattersAvailable()
    {
        var loaded = AppDomain.CurrentDomain.GetAssemblies().Any(a => a.GetName().Name == "Microsoft.DotNet.Interactive.Formatting");
        if (loaded) return true;
        try
        {
            Assembly.Load("Microsoft.DotNet.Interactive.Formatting");
            return true;
        }
        catch (IOException)
        {
            return false; // not inside a notebook host (tests, console apps): nothing to register
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    static bool RegisterFormatters()
    {
        Notebook.Formatters.Register();
        return true;
    }

    static bool ParseFlag(string? value) =>
        value is not null && (value == "1" || value.Equals("true", StringComparison.OrdinalIgnoreCase) || value.Equals("yes", StringComparison.OrdinalIgnoreCase));
}
