using System.Runtime.InteropServices;
using System.Text;

namespace NtkNotebooks.Platform;

/// <summary>
/// A GPU's name and memory from the CUDA driver API (<c>libcuda</c>, which every NVIDIA driver installs): TorchSharp
/// exposes neither. Read once, for <see cref="TorchRuntime.Describe"/>.
/// </summary>
internal static class CudaDriver
{
    const string Library = "cuda"; // libcuda.so(.1) on Linux, nvcuda.dll on Windows (resolved below)

    static CudaDriver() => NativeLibrary.SetDllImportResolver(typeof(CudaDriver).Assembly, (name, assembly, path) =>
        name != Library ? IntPtr.Zero
        : OperatingSystem.IsWindows() ? (NativeLibrary.TryLoad("nvcuda.dll", out var w) ? w : IntPtr.Zero)
        : NativeLibrary.TryLoad("libcuda.so.1", out var h) ? h : IntPtr.Zero);

    [DllImport(Library)] static extern int cuInit(uint flags);
    [DllImport(Library)] static extern int cuDeviceGet(out int device, int ordinal);
    [DllImport(Library)] static extern int cuDeviceGetName(byte[] name, int length, int device);
    [DllImport(Library, EntryPoint = "cuDeviceTotalMem_v2")] static extern int cuDeviceTotalMem(out nuint bytes, int device);

    /// <summary>Name and total memory of CUDA device <paramref name="ordinal"/>; null when the driver cannot tell.</summary>
    public static (string Name, long TotalBytes)? TryDescribe(int ordinal)
    {
        try
        {
            if (cuInit(0) != 0 || cuDeviceGet(out var device, ordinal) != 0) return null;
            var name = new byte[256];
            if (cuDeviceGetName(name, name.Length, device) != 0 || cuDeviceTotalMem(out var bytes, device) != 0) return null;
            return (Encoding.ASCII.GetString(name, 0, Math.Max(0, Array.IndexOf(name, (byte)0))), (long)bytes);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
    }
}
