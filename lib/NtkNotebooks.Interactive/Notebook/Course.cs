using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Loader;
using NtkNotebooks.Platform;
using TorchSharp;
using static TorchSharp.torch;

namespace NtkNotebooks;

/// <summary>
/// Notebook glue: the one call every notebook's first cell makes after referencing the library.
/// <code>
/// #r "nuget: NtkNotebooks.Interactive, 0.1.0"
/// NtkNotebooks.Course.Init()
/// </code>
/// It makes the stock .NET Interactive hosts (VS Code Polyglot Notebooks, dotnet-repl) work with this stack:
/// Plotly.NET's FSharp.Core, TorchSharp's native library, and display formatters for tensors and charts.
/// </summary>
public static class Course
{
    static readonly object Gate = new();
    static Device? _device;

    /// <summary>
    /// The device every notebook creates its networks, data and kernels on: CUDA device 0 when TorchSharp sees a GPU,
    /// else the CPU; the environment variable <c>NTK_DEVICE</c> (<c>cpu</c>, <c>cuda</c>, <c>cuda:N</c>) overrides that,
    /// and a notebook may assign it (<c>Course.Device = CPU;</c>) after <see cref="Init"/>. Charts and printed numbers
    /// copy what they show to the CPU themselves.
    /// </summary>
    /// <exception cref="InvalidOperationException">Read before <see cref="Init"/>, or set to a device this process lacks.</exception>
    public static Device Device
    {
        get => _device ?? throw new InvalidOperationException("Course.Device is chosen by Course.Init(): call it first (the first cell of every notebook does).");
        set
        {
            ArgumentNullException.ThrowIfNull(value, nameof(Device));
            if (_device is null) throw new InvalidOperationException("Call Course.Init() before choosing Course.Device (it loads libtorch).");
            TorchRuntime.CheckAvailable(value, nameof(Device));
            _device = value.type == DeviceType.CUDA && value.index < 0 ? new Device(DeviceType.CUDA, 0) : value;
        }
    }

    /// <summary>
    /// The course-wide size switch. False (default): CPU-sized experiments that run in about two minutes per notebook.
    /// True: the paper's sizes, which need a GPU (<see cref="Device"/>) and, for some notebooks, hours.
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
    /// FSharp.Core 10.1 with the host's FSharp.Core (Plotly.NET 6 would otherwise fail to load in the stock hosts);
    /// (2) on hosts whose libstdc++ lacks GLIBCXX_3.4.32, patch the TorchSharp native library wherever this host
    /// loads it from (README, Troubleshooting); (3) load libtorch for the build's backend and choose
    /// <see cref="Device"/> (<see cref="TorchRuntime.Initialize"/>); (4) register HTML formatters for tensors and Plotly
    /// charts when running inside .NET Interactive. The result, shown as the cell's output, names the device (the GPU's
    /// name and memory on CUDA); in a notebook that output also carries plotly.js (from Plotly.NET, once per notebook),
    /// which every chart of the notebook draws with: charts need no network, CDN or require.js.
    /// </summary>
    /// <param name="threads">Torch intra-op threads; default: all cores.</param>
    public static CourseEnvironment Init(int? threads = null)
    {
        if (threads is { } t) Guard.Positive(t, nameof(threads));
        lock (Gate)
        {
            InstallFSharpCoreRedirect();
            var patched = PrepareTorchSharpNative();
            var device = TorchRuntime.Initialize(device: null);
            _device ??= device;
            torch.set_num_threads(threads ?? Environment.ProcessorCount);
            var formatters = NotebookFormattersAvailable() && RegisterFormatters();
            return CourseEnvironment.Describe(patched, formatters, _device);
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

    static IReadOnlyList<string> PrepareTorchSharpNative()
    {
        if (!OperatingSystem.IsLinux()) return [];
        var (directories, _) = TorchRuntime.TorchSharpNativeDirectories();
        try
        {
            return [.. GlibcxxCompat.PatchIfNeeded(directories.Select(d => Path.Combine(d, "libLibTorchSharp.so")))];
        }
        catch (UnauthorizedAccessException e)
        {
            throw new InvalidOperationException(
                $"TorchSharp's native library needs a one-byte compatibility fix on this machine (its libstdc++ lacks {GlibcxxCompat.RequiredVersion}), " +
                $"but the file is not writable: {e.Message}. Run the README's build command once, or see README, Troubleshooting.", e);
        }
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
