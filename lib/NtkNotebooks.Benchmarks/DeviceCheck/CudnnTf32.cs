using TorchSharp;
using static TorchSharp.torch;

namespace NtkNotebooks.Benchmarks.DeviceCheck;

/// <summary>
/// libtorch's switches that let CUDA run float32 products in TF32 (inputs rounded to 10 mantissa bits): off by
/// default for matrix products (cuBLAS), on by default for cuDNN convolutions. Read for the report, and turned off
/// for the duration of a float32 convolution check.
/// </summary>
public static class CudnnTf32
{
    /// <summary>"matmul TF32 off, cuDNN TF32 on", or why the flags could not be read.</summary>
    public static string Describe()
    {
        try
        {
            return $"matmul TF32 {OnOff(backends.cuda.matmul.allow_tf32)}, cuDNN TF32 {OnOff(backends.cudnn.allow_tf32)} (libtorch's defaults: off, on)";
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return "TF32 flags unreadable: " + e.Message;
        }
    }

    /// <summary>Turns cuDNN TF32 off until disposed (only on a CUDA device; the CPU never uses TF32).</summary>
    public static IDisposable Off(Device device)
    {
        if (device.type != DeviceType.CUDA) return new Restore(null);
        var previous = backends.cudnn.allow_tf32;
        backends.cudnn.allow_tf32 = false;
        return new Restore(previous);
    }

    static string OnOff(bool value) => value ? "on" : "off";

    sealed class Restore(bool? previous) : IDisposable
    {
        public void Dispose()
        {
            if (previous is { } value) backends.cudnn.allow_tf32 = value;
        }
    }
}
