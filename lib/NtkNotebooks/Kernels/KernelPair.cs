using static TorchSharp.torch;

namespace NtkNotebooks.Kernels;

/// <summary>The NNGP kernel K and the NTK Theta of the same inputs (float64, same shape).</summary>
/// <param name="Nngp">K (PAPER.md "Kernels"; Eq 13 uses it as the GP prior covariance).</param>
/// <param name="Ntk">Theta (Eq 4 at infinite width; Eq 8-16 use it for the dynamics).</param>
public sealed record KernelPair(Tensor Nngp, Tensor Ntk);
