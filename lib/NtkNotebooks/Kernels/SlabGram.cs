using static TorchSharp.torch;

namespace NtkNotebooks.Kernels;

/// <summary>
/// left right^T [R1, R2] in float64 for rows of float32 or float64 features, summed over slabs of at most
/// <c>slab</c> features so that only one slab is ever copied. Float64 rows are multiplied directly.
/// </summary>
internal static class SlabGram
{
    /// <param name="left">[R1, F] rows.</param>
    /// <param name="right">[R2, F] rows, same dtype.</param>
    /// <param name="slab">Features per slab.</param>
    /// <param name="widen">True: each float32 slab is widened to float64 before its product (products of float32
    /// numbers are exact in float64, so the sums have float64 accuracy). False: each slab's product is summed in float32
    /// and only the slabs' sums in float64 (float32 speed; round-off that grows with the slab, not with F).</param>
    public static Tensor Of(Tensor left, Tensor right, long slab, bool widen)
    {
        if (left.dtype == ScalarType.Float64) return left.matmul(right.T);
        var features = left.shape[1];
        var result = zeros([left.shape[0], right.shape[0]], float64, left.device);
        for (long c0 = 0; c0 < features; c0 += slab)
        {
            using var scope = NewDisposeScope();
            var width = Math.Min(slab, features - c0);
            Tensor a = left.narrow(1, c0, width), b = right.narrow(1, c0, width);
            if (widen) result.addmm_(a.to(float64), b.to(float64).T);
            else result.add_(a.matmul(b.T));
        }
        return result;
    }
}
