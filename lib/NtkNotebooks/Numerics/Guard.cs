using TorchSharp;
using static TorchSharp.torch;

namespace NtkNotebooks;

/// <summary>Argument checks that fail with the argument's name, the expected and the actual value.</summary>
internal static class Guard
{
    public static void Positive(double value, string name)
    {
        if (!(value > 0) || double.IsInfinity(value))
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be a positive finite number.");
    }

    public static void NonNegative(double value, string name)
    {
        if (!(value >= 0) || double.IsInfinity(value))
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be a non-negative finite number.");
    }

    /// <summary>A rank-2 tensor [N, <paramref name="columns"/>] with N &gt; 0 and no NaN/Inf.</summary>
    public static void Matrix(Tensor x, long columns, string name)
    {
        MatrixShape(x, columns, name);
        NonEmptyFinite(x, name);
    }

    /// <summary>A rank-2 tensor [N, <paramref name="columns"/>]; its values are not read.</summary>
    public static void MatrixShape(Tensor x, long columns, string name)
    {
        ArgumentNullException.ThrowIfNull(x, name);
        if (x.dim() != 2 || x.shape[1] != columns)
            throw new ArgumentException($"{name} must have shape [N, {columns}], but has shape {Shape(x)}.", name);
    }

    /// <summary>At least one row and only finite values; returns <paramref name="x"/>.</summary>
    public static Tensor NonEmptyFinite(Tensor x, string name)
    {
        if (x.dim() == 0 || x.shape[0] == 0)
            throw new ArgumentException($"{name} must contain at least one example, but has shape {Shape(x)}.", name);
        if (!x.is_floating_point())
            throw new ArgumentException($"{name} must be a floating-point tensor, but has dtype {x.dtype}.", name);
        if (!AllFinite(x))
        {
            using var nan = x.isnan().sum();
            throw new ArgumentException($"{name} contains {nan.item<long>()} NaN and/or infinite values (shape {Shape(x)}).", name);
        }
        return x;
    }

    public static bool AllFinite(Tensor t)
    {
        using var finite = t.isfinite();
        using var all = finite.all();
        return all.item<bool>();
    }

    /// <summary>
    /// Cross-entropy targets: [N, k] with k &gt;= 2 (a softmax over one logit is constant) and every row one-hot (entries 0
    /// or 1, one 1 per row). Reads the values: call once per API call, not per step.
    /// </summary>
    public static void OneHot(Tensor y, string name)
    {
        ArgumentNullException.ThrowIfNull(y, name);
        if (y.dim() != 2 || y.shape[1] < 2)
            throw new ArgumentException($"{name} must be one-hot targets [N, k] with k >= 2 classes for cross-entropy, but has shape {Shape(y)}.", name);
        using var scope = NewDisposeScope();
        var binary = y.eq(0).logical_or(y.eq(1)).all().item<bool>();
        var rowsOfOne = y.sum(1).eq(1).all().item<bool>();
        if (!binary || !rowsOfOne)
            throw new ArgumentException($"{name} must be one-hot for cross-entropy (entries 0 or 1, exactly one 1 per row); " +
                $"row sums range over [{y.sum(1).min().item<double>():G4}, {y.sum(1).max().item<double>():G4}].", name);
    }

    public static string Shape(Tensor t) => "[" + string.Join(", ", t.shape) + "]";

    /// <summary>
    /// Throws unless every given tensor (nulls skipped) lives on one device, naming the first two that differ. The
    /// library never moves its inputs between devices: a hidden copy in a loop would cost a host round-trip per call.
    /// </summary>
    public static void SameDevice(params (Tensor? Tensor, string Name)[] tensors)
    {
        (Tensor Tensor, string Name)? first = null;
        foreach (var (tensor, name) in tensors)
        {
            if (tensor is null) continue;
            if (first is not { } f) first = (tensor, name);
            else if (!SameDevice(tensor.device, f.Tensor.device))
                throw new ArgumentException(
                    $"{name} is on {Normalize(tensor.device)} but {f.Name} is on {Normalize(f.Tensor.device)}: put every input of this call on one device (.to(device)).", name);
        }
    }

    /// <summary>Throws unless <paramref name="x"/> is on <paramref name="device"/>, where <paramref name="owner"/> (e.g. "the network's parameters") lives.</summary>
    public static void OnDevice(Tensor x, Device device, string name, string owner)
    {
        if (!SameDevice(x.device, device))
            throw new ArgumentException($"{name} is on {Normalize(x.device)} but {owner} are on {Normalize(device)}: move it with .to({Normalize(device)}).", name);
    }

    /// <summary>Whether two devices are the same (a CUDA device without an index is device 0, the default).</summary>
    public static bool SameDevice(Device a, Device b) => Normalize(a).ToString() == Normalize(b).ToString();

    /// <summary>The device with an explicit index for CUDA ("cuda" becomes "cuda:0").</summary>
    public static Device Normalize(Device device) =>
        device.type == DeviceType.CUDA && device.index < 0 ? new Device(DeviceType.CUDA, 0) : device;

    /// <summary>Throws naming <paramref name="where"/> when <paramref name="t"/> contains NaN or Inf.</summary>
    public static Tensor CheckFinite(Tensor t, string where)
    {
        if (!AllFinite(t))
            throw new ArithmeticException($"{where} produced NaN or infinite values (shape {Shape(t)}).");
        return t;
    }
}
