using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;
using TorchSharp;
using static TorchSharp.torch;

namespace NtkNotebooks.Benchmarks.Peer;

/// <summary>
/// Reads and writes NumPy's .npy format (version 1.0, little-endian float32/float64, C order): how the benchmark
/// hands identical inputs and weights to the Python peer and reads back its outputs.
/// </summary>
public static partial class Npy
{
    static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Writes a float32 or float64 tensor (any shape) to <paramref name="path"/>.</summary>
    public static void Write(string path, Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        using var cpu = tensor.detach().cpu().contiguous();
        var descr = cpu.dtype switch
        {
            ScalarType.Float32 => "<f4",
            ScalarType.Float64 => "<f8",
            _ => throw new ArgumentException($"Only float32 and float64 tensors are written, not {cpu.dtype}.", nameof(tensor)),
        };
        var shape = cpu.shape.Length == 1 ? $"({cpu.shape[0]},)" : "(" + string.Join(", ", cpu.shape) + ")";
        var header = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}";
        var unpadded = Magic.Length + 2 + 2 + header.Length + 1;
        header += new string(' ', (64 - unpadded % 64) % 64) + "\n";

        using var stream = File.Create(path);
        stream.Write(Magic);
        stream.Write([1, 0]);
        stream.Write(BitConverter.GetBytes((ushort)header.Length));
        stream.Write(Encoding.ASCII.GetBytes(header));
        if (cpu.dtype == ScalarType.Float32) stream.Write(MemoryMarshal.AsBytes(cpu.data<float>().ToArray().AsSpan()));
        else stream.Write(MemoryMarshal.AsBytes(cpu.data<double>().ToArray().AsSpan()));
    }

    /// <summary>Reads a little-endian float32 or float64 .npy file (C order) as a tensor of its dtype and shape.</summary>
    public static Tensor Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 10 || !bytes.AsSpan(0, 6).SequenceEqual(Magic))
            throw new InvalidDataException($"'{path}' is not a .npy file.");
        var major = bytes[6];
        var (headerLength, offset) = major == 1
            ? (BitConverter.ToUInt16(bytes, 8), 10)
            : ((int)BitConverter.ToUInt32(bytes, 8), 12);
        var header = Encoding.ASCII.GetString(bytes, offset, headerLength);
        var data = bytes.AsSpan(offset + headerLength);
        if (header.Contains("'fortran_order': True", StringComparison.Ordinal))
            throw new InvalidDataException($"'{path}' is in Fortran order; only C order is read.");
        var shape = ShapePattern().Match(header).Groups[1].Value
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => long.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        if (header.Contains("'<f8'", StringComparison.Ordinal))
            return tensor(MemoryMarshal.Cast<byte, double>(data).ToArray(), shape);
        if (header.Contains("'<f4'", StringComparison.Ordinal))
            return tensor(MemoryMarshal.Cast<byte, float>(data).ToArray(), shape);
        throw new InvalidDataException($"'{path}': only little-endian float32/float64 arrays are read (header {header.Trim()}).");
    }

    [GeneratedRegex(@"'shape':\s*\(([^)]*)\)")]
    private static partial Regex ShapePattern();
}
