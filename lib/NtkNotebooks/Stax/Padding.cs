namespace NtkNotebooks.Stax;

/// <summary>How a convolution or pooling window treats the image border (the conventions of XLA and neural-tangents).</summary>
public enum Padding
{
    /// <summary>
    /// Zero padding so that the output has ceil(size / stride) pixels per axis. The total padding
    /// max((out - 1) stride + window - size, 0) is split with the smaller half before the image (TensorFlow, JAX), so an
    /// even window pads one pixel more after than before.
    /// </summary>
    Same,

    /// <summary>No padding: only windows that lie inside the image, floor((size - window) / stride) + 1 pixels per axis.</summary>
    Valid,
}

/// <summary>The output size and the zero padding before and after one spatial axis.</summary>
internal readonly record struct AxisGeometry(int Output, int Before, int After)
{
    /// <summary>Geometry of a window of <paramref name="window"/> pixels moved by <paramref name="stride"/> over <paramref name="size"/> pixels; null when a valid window does not fit.</summary>
    public static AxisGeometry? Of(int size, int window, int stride, Padding padding)
    {
        if (padding == Padding.Valid)
            return size < window ? null : new AxisGeometry((size - window) / stride + 1, 0, 0);
        var output = (size + stride - 1) / stride;
        var total = Math.Max((output - 1) * stride + window - size, 0);
        return new AxisGeometry(output, total / 2, total - total / 2);
    }
}
