using NtkNotebooks.Data;
using static TorchSharp.torch;

namespace NtkNotebooks.Benchmarks.DeviceCheck;

/// <summary>The data loaders with a device against the same loaders on the CPU.</summary>
public static class DataComparisons
{
    /// <summary>Runs every comparison.</summary>
    public static void Run(DeviceComparer c)
    {
        var mnist = MnistFolder();
        // The loaders compute every value on the host in double precision and copy it: bit for bit the same.
        var copied = Tolerance.Exact("values made on the host, then copied");
        c.Compare("Synthetic.UnitCircle", copied, d => Synthetic.UnitCircle(16, d).X);
        c.Compare("Synthetic.CircleRegression", copied, d =>
        {
            var data = Synthetic.CircleRegression(16, frequency: 3, seed: 5, device: d);
            return new[] { data.X, data.Y };
        });
        // a x1 + (1 - a) x2 on the device: three rounded operations per entry (a fused multiply-add on one device
        // and not the other changes at most the last bits).
        c.Compare("Synthetic.InterpolationPath", Tolerance.RoundOff(ScalarType.Float64, 3, "three rounded operations per entry"), d =>
        {
            var (x, _) = Synthetic.UnitCircle(4, d);
            return Synthetic.InterpolationPath(x[0], x[1], points: 11).X;
        });
        c.Compare("Mnist.Load (test, 32 digits)", copied, d =>
        {
            var data = Mnist.Load("test", 32, mnist, device: d);
            return new[] { data.X, data.Y };
        });
        c.Compare("Mnist.TwoClass (train, 32 digits)", copied, d =>
        {
            var data = Mnist.TwoClass("train", 32, directory: mnist, device: d);
            return new[] { data.X, data.Y };
        });
    }

    /// <summary>
    /// data/mnist of the repository (the working directory or a parent), else the copy beside this program: the GPU
    /// machine gets the program's folder only (the project file copies the digits there).
    /// </summary>
    public static string? MnistFolder()
    {
        try
        {
            return Mnist.Locate();
        }
        catch (DirectoryNotFoundException)
        {
            var beside = Path.Combine(AppContext.BaseDirectory, "data", "mnist");
            return Directory.Exists(beside) ? beside : null;
        }
    }
}
