using NtkNotebooks.Benchmarks.Harness;
using TorchSharp;
using static TorchSharp.torch;

namespace NtkNotebooks.Benchmarks.DeviceCheck;

/// <summary>
/// Timing on a device that runs asynchronously: a CUDA call returns once its kernels are queued, so every timed run
/// ends with <c>torch.cuda.synchronize</c> (and the queue is drained before the first), or the clock would stop before
/// the work does. Runs follow <see cref="Stopwatches.Measure"/>: each in its own dispose scope, which is what frees GPU
/// memory between runs.
/// </summary>
public static class DeviceClock
{
    /// <summary>Waits for the device's queued work (nothing to wait for on the CPU).</summary>
    public static void Synchronize(Device device)
    {
        if (device.type == DeviceType.CUDA) cuda.synchronize(device);
    }

    /// <summary>Times <paramref name="run"/> on <paramref name="device"/> under <paramref name="policy"/>; returns the last run's output.</summary>
    public static (Timing Timing, Tensor? Output) Measure(Device device, Func<Tensor?> run, TimingPolicy policy)
    {
        Synchronize(device);
        return Stopwatches.Measure(() =>
        {
            var output = run();
            Synchronize(device);
            return output;
        }, policy);
    }
}
