using System.Buffers.Binary;
using System.IO.Compression;

namespace NtkNotebooks.Data;

/// <summary>Reader for the IDX format of the MNIST files (big-endian header: magic, dimension sizes; unsigned bytes).</summary>
public static class Idx
{
    /// <summary>Reads an IDX file of unsigned bytes (gzipped when the name ends in .gz): its dimensions and data.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">Not an IDX file of unsigned bytes, or truncated.</exception>
    public static (int[] Shape, byte[] Data) Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"IDX file '{Path.GetFullPath(path)}' does not exist.", path);
        using var file = File.OpenRead(path);
        using Stream stream = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? new GZipStream(file, CompressionMode.Decompress) : file;
        Span<byte> magic = stackalloc byte[4];
        stream.ReadExactly(magic);
        if (magic[0] != 0 || magic[1] != 0 || magic[2] != 0x08)
            throw new InvalidDataException($"'{path}' is not an IDX file of unsigned bytes (magic {Convert.ToHexString(magic)}, expected 000008xx).");
        var shape = new int[magic[3]];
        Span<byte> size = stackalloc byte[4];
        for (var d = 0; d < shape.Length; d++)
        {
            stream.ReadExactly(size);
            shape[d] = BinaryPrimitives.ReadInt32BigEndian(size);
        }
        var data = new byte[shape.Aggregate(1L, (a, b) => a * b)];
        try
        {
            stream.ReadExactly(data);
        }
        catch (EndOfStreamException)
        {
            throw new InvalidDataException($"'{path}' is truncated: its header announces [{string.Join(", ", shape)}] = {data.Length} bytes.");
        }
        return (shape, data);
    }
}
