using NtkNotebooks.Linearization;
using NtkNotebooks.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace NtkNotebooks.Kernels;

/// <summary>
/// The NTK applied to a vector without forming the kernel (neural-tangents' "NTK-vector products"):
/// <code>Theta_hat(x1, x2) v = J(x1) (J(x2)^T v)</code>
/// one VJP through the network on x2 (a batched backward pass) and one JVP on x1 (<see cref="Tangents"/>). Costs two to
/// four passes over the data and no N1 x N2 memory: the way to use the empirical NTK in iterative solvers (conjugate
/// gradients, power iteration for lambda_max) when N is too large for the kernel matrix.
/// </summary>
public static class NtkVectorProduct
{
    /// <summary>
    /// sum over j and b of Theta_hat(x1_i, x2_j)_ab v_jb: [N1, k] for <paramref name="v"/> [N2, k], in the network's dtype
    /// on its device (x2 = x1 when null). Equals the full kernel (<see cref="KernelOutputs.Full"/>) contracted with v.
    /// </summary>
    /// <param name="network">Any network.</param>
    /// <param name="x1">Inputs [N1, ...].</param>
    /// <param name="v">Output-space vector [N2, k] on x2.</param>
    /// <param name="x2">Inputs [N2, ...], or null for x1.</param>
    public static Tensor Apply(INtkNetwork network, Tensor x1, Tensor v, Tensor? x2 = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(x1);
        ArgumentNullException.ThrowIfNull(v);
        using var scope = NewDisposeScope();
        var pullback = Tangents.Vjp(network, x2 ?? x1, v);   // J(x2)^T v, one tensor per parameter
        return Tangents.Jvp(network, x1, pullback).detach().MoveToOuterDisposeScope();
    }
}
