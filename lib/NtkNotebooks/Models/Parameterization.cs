namespace NtkNotebooks.Models;

/// <summary>How a layer's weights are scaled (PAPER.md "Notation and parameterization").</summary>
public enum Parameterization
{
    /// <summary>
    /// Eq 1: W = (sigma_w / sqrt(n_in)) omega, b = sigma_b beta, with omega, beta ~ N(0, 1) the trained parameters.
    /// Learning rates are O(1) whatever the width; the NTK has a finite infinite-width limit.
    /// </summary>
    Ntk,

    /// <summary>S36: W ~ N(0, sigma_w^2 / n_in), b ~ N(0, sigma_b^2) trained directly. Same function at initialisation, different dynamics.</summary>
    Standard,
}
