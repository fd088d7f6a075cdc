using System.Diagnostics;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace NtkNotebooks.Platform;

/// <summary>
/// Loads libtorch for the backend this library was built with and chooses a device. Any program that uses the library
/// (a notebook through <c>Course.Init</c>, a console program, a test) calls <see cref="Initialize"/> before its first
/// TorchSharp call.
/// </summary>
/// <remarks>
/// <para>The backend is fixed at build time by the MSBuild property <c>TorchBackend</c> (README, "Running on a GPU"):
/// <c>cpu</c> (TorchSharp-cpu, the default), <c>cuda</c> (TorchSharp-cuda-linux / -windows) or <c>external</c> (the
/// TorchSharp package alone, with libtorch found at run time).</para>
/// <para>Where libtorch comes from, first match wins: the folder in <c>NTK_LIBTORCH_DIR</c> (any backend; an error if it
/// holds no libtorch); for <c>external</c>, a folder on <c>LD_LIBRARY_PATH</c> that holds libtorch, then the
/// <c>torch/lib</c> folder of the PyTorch that <c>python3</c> imports; for <c>cpu</c> and <c>cuda</c>, the files beside the
/// program or in the libtorch NuGet package. The files found are loaded by full path before TorchSharp starts: every
/// later load by name (TorchSharp's own, and libtorch's dependencies) then resolves to them, never to another libtorch
/// installed system-wide. When <c>cpu</c>/<c>cuda</c> find nothing, TorchSharp's own loader is left to do its work.</para>
/// </remarks>
public static class TorchRuntime
{
    /// <summary>Environment variable naming a folder with libtorch's shared libraries (e.g. PyTorch's <c>torch/lib</c>).</summary>
    public const string LibTorchDirVariable = "NTK_LIBTORCH_DIR";

    /// <summary>Environment variable choosing the device: <c>cpu</c>, <c>cuda</c> or <c>cuda:N</c>.</summary>
    public const string DeviceVariable = "NTK_DEVICE";

    static readonly object Gate = new();
    static bool _loaded;

    /// <summary>The backend this library was built with: "cpu", "cuda" or "external".</summary>
    public static string Backend { get; } =
        typeof(TorchRuntime).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == "TorchBackend")?.Value ?? "cpu";

    /// <summary>The folder libtorch was loaded from, once <see cref="Initialize"/> has run (null when TorchSharp's own loader found it).</summary>
    public static string? LibTorchDirectory { get; private set; }

    /// <summary>
    /// Loads libtorch (once per process) and returns the device to use: <paramref name="device"/> when given, else
    /// <c>NTK_DEVICE</c> when set, else CUDA device 0 when TorchSharp sees a GPU, else the CPU.
    /// </summary>
    /// <param name="device">"cpu", "cuda" or "cuda:N"; null to decide as above.</param>
    /// <exception cref="ArgumentException">The device is not one of the forms above.</exception>
    /// <exception cref="InvalidOperationException">libtorch cannot be found or loaded, or CUDA was asked for and is not available.</exception>
    public static Device Initialize(string? device = null)
    {
        lock (Gate)
        {
            if (!_loaded)
            {
                LoadLibTorch();
                InitializeCpu();
                _loaded = true;
            }
        }
        var requested = device ?? Environment.GetEnvironmentVariable(DeviceVariable);
        if (string.IsNullOrWhiteSpace(requested)) return CudaAvailable() ? new Device(DeviceType.CUDA, 0) : CPU;
        var chosen = ParseDevice(requested, device is null ? DeviceVariable : nameof(device));
        CheckAvailable(chosen, device is null ? DeviceVariable : nameof(device));
        return chosen;
    }

    /// <summary>Parses "cpu", "cuda" (device 0) or "cuda:N".</summary>
    /// <param name="text">The text to parse.</param>
    /// <param name="source">What the text came from, for the error message.</param>
    public static Device ParseDevice(string text, string source)
    {
        var t = text.Trim().ToLowerInvariant();
        if (t == "cpu") return CPU;
        if (t == "cuda") return new Device(DeviceType.CUDA, 0);
        if (t.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(t.AsSpan(5), out var index) && index >= 0)
            return new Device(DeviceType.CUDA, index);
        throw new ArgumentException($"{source} must be \"cpu\", \"cuda\" or \"cuda:N\", but is \"{text}\".", source);
    }

    /// <summary>Throws unless <paramref name="device"/> can hold tensors in this process (the CPU always can).</summary>
    public static void CheckAvailable(Device device, string name)
    {
        ArgumentNullException.ThrowIfNull(device, name);
        if (device.type == DeviceType.CPU) return;
        if (device.type != DeviceType.CUDA)
            throw new ArgumentException($"{name} must be the CPU or a CUDA device, but is {device}.", name);
        if (!CudaAvailable())
            throw new InvalidOperationException(
                $"{name} asks for {device}, but this process has no CUDA: the library was built with TorchBackend={Backend}" +
                (LibTorchDirectory is { } dir ? $" and loaded libtorch from {dir}" : "") +
                ". Build with -p:TorchBackend=cuda, or with -p:TorchBackend=external on a machine whose PyTorch has CUDA (README, \"Running on a GPU\").");
        var count = cuda.device_count();
        if (device.index >= count)
            throw new ArgumentException($"{name} asks for {device}, but this machine has {count} CUDA device(s) (cuda:0..cuda:{count - 1}).", name);
    }

    /// <summary>"cpu", or "cuda:0 (NVIDIA H200, 139.8 GiB)" with the GPU's name and memory as its driver reports them.</summary>
    public static string Describe(Device device)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (device.type != DeviceType.CUDA) return device.ToString();
        var index = Math.Max(device.index, 0);
        return CudaDriver.TryDescribe(index) is { } gpu ? $"cuda:{index} ({gpu.Name}, {gpu.TotalBytes / (double)(1L << 30):F1} GiB)" : $"cuda:{index}";
    }

    static bool CudaAvailable() => torch.cuda.is_available();

    // The native folders of the program and of the TorchSharp package, app-local first: beside an app (or in its
    // runtimes/ folder), or, in a notebook host, in the NuGet package (runtimes/) and the "consolidated" copies TorchSharp
    // makes next to its assembly (cpu/, cuda-12.8/). typeof(torch) loads the managed assembly only; the native library
    // loads in torch's type initializer, which first runs in InitializeCpu, after the files are preloaded.
    internal static (string[] Directories, string PackageRoot) TorchSharpNativeDirectories()
    {
        var native = Path.Combine("runtimes", "linux-x64", "native");
        var torchDir = Path.GetDirectoryName(typeof(torch).Assembly.Location) ?? AppContext.BaseDirectory;
        var packageRoot = Path.GetFullPath(Path.Combine(torchDir, "..", ".."));
        var directories = new[] { AppContext.BaseDirectory, torchDir }
            .SelectMany(dir => new[] { dir, Path.Combine(dir, native), Path.Combine(dir, "cpu"), Path.Combine(dir, "cuda-12.8") })
            .Append(Path.Combine(packageRoot, native))
            .Distinct()
            .ToArray();
        return (directories, packageRoot);
    }

    static void LoadLibTorch()
    {
        if (!OperatingSystem.IsLinux()) return; // Windows and macOS: TorchSharp's loader (README lists the tested hosts)
        var (directories, packageRoot) = TorchSharpNativeDirectories();
        var libtorch = FindLibTorch(directories, packageRoot);
        var libTorchSharp = directories.Select(d => Path.Combine(d, "libLibTorchSharp.so")).FirstOrDefault(File.Exists);
        if (libtorch is null || libTorchSharp is null) return;
        string[] order = ["libc10.so", "libc10_cuda.so", "libtorch_cpu.so", "libtorch_cuda.so", "libtorch.so"];
        foreach (var path in order.Select(f => Path.Combine(libtorch, f)).Where(File.Exists).Append(libTorchSharp))
        {
            try
            {
                NativeLibrary.Load(path);
            }
            catch (DllNotFoundException e)
            {
                throw new InvalidOperationException(
                    $"Could not load '{path}' (TorchBackend={Backend}, libtorch from {libtorch}): {e.Message} " +
                    "See README, Troubleshooting.", e);
            }
        }
        LibTorchDirectory = Path.TrimEndingDirectorySeparator(Path.GetFullPath(libtorch));
    }

    static string? FindLibTorch(string[] directories, string torchSharpPackageRoot)
    {
        if (Environment.GetEnvironmentVariable(LibTorchDirVariable) is { Length: > 0 } named)
        {
            var full = Path.GetFullPath(named);
            return HasLibTorch(full) ? full
                : throw new InvalidOperationException($"{LibTorchDirVariable} is '{named}', but that folder holds no libtorch_cpu.so (expected libtorch's shared libraries, e.g. PyTorch's torch/lib).");
        }
        if (Backend == "external")
        {
            var onPath = (Environment.GetEnvironmentVariable("LD_LIBRARY_PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries);
            return onPath.FirstOrDefault(HasLibTorch) ?? PythonTorchLib() ?? throw new InvalidOperationException(
                "This build uses TorchBackend=external, but no libtorch was found: set " + LibTorchDirVariable +
                " to a folder with libtorch's shared libraries (e.g. the torch/lib folder of a PyTorch install), or make `python3 -c \"import torch\"` work.");
        }
        // libtorch comes from its own package (libtorch-cpu-linux-x64/<version>/, or the CUDA package's parts) beside
        // torchsharp/<version>/ in the NuGet cache.
        var packagesRoot = Path.GetFullPath(Path.Combine(torchSharpPackageRoot, "..", ".."));
        var packageDirs = Directory.Exists(packagesRoot)
            ? Directory.GetDirectories(packagesRoot, "libtorch-*-linux-x64*")
                .SelectMany(Directory.GetDirectories)
                .OrderByDescending(d => Version.TryParse(Path.GetFileName(d), out var v) ? v : new Version())
                .Select(d => Path.Combine(d, "runtimes", "linux-x64", "native"))
            : [];
        var wanted = Backend == "cuda" ? "libtorch_cuda.so" : "libtorch_cpu.so";
        return directories.Concat(packageDirs).FirstOrDefault(d => File.Exists(Path.Combine(d, wanted)) && HasLibTorch(d));
    }

    static bool HasLibTorch(string directory) =>
        File.Exists(Path.Combine(directory, "libtorch_cpu.so")) && File.Exists(Path.Combine(directory, "libc10.so"));

    // The torch/lib folder of the PyTorch that python3 imports; null when there is none.
    static string? PythonTorchLib()
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo("python3", ["-c", "import os, torch; print(os.path.join(os.path.dirname(torch.__file__), 'lib'))"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            });
            if (process is null) return null;
            var output = process.StandardOutput.ReadToEnd().Trim();
            process.StandardError.ReadToEnd();
            if (!process.WaitForExit(TimeSpan.FromMinutes(1))) return null;
            return process.ExitCode == 0 && HasLibTorch(output) ? output : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null; // no python3 on PATH
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    static void InitializeCpu() => torch.InitializeDeviceType(DeviceType.CPU);
}
