using NtkNotebooks.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace NtkNotebooks.Kernels;

/// <summary>
/// Infinite-width NNGP and NTK kernels of a fully connected network in NTK parameterization, by the recursions of
/// PAPER.md "Kernels" (S24-S29):
/// <code>
/// K^1 = sigma_w^2 x.x'/n_0 + sigma_b^2,   Theta^1 = K^1
/// K^{l+1} = sigma_w^2 T(Sigma^l) + sigma_b^2,   Theta^{l+1} = K^{l+1} + sigma_w^2 TDot(Sigma^l) Theta^l
/// </code>
/// returning K^{L+1} and Theta^{L+1} (the kernel of each output; across k outputs it is K (x) I_k).
/// T and TDot are closed forms for ReLU, erf and identity and <see cref="GaussianQuadrature"/> otherwise.
/// Float64 throughout (the recursion subtracts nearly equal numbers near the diagonal), vectorised over the pairs of
/// cache-sized row blocks, on the inputs' device; the result is on that device.
/// </summary>
public static class AnalyticKernels
{
    /// <summary>
    /// Pairs per row block when no block size is given: 2^18, so that a block's float64 temporaries (2 MiB each) stay
    /// in cache and are reused from the allocator instead of being page-faulted in. The recursion does one or two
    /// arithmetic operations per pair and memory pass, so this is what sets its speed (blocks of 2^16 and 2^20
    /// pairs were slower); the only N^2 memory left is the result.
    /// </summary>
    public const int DefaultBlockPairs = 1 << 18;

    /// <summary>K(x1, x2) and Theta(x1, x2), each [N1, N2] float64 (x2 = x1 when null).</summary>
    /// <param name="architecture">Depth, activation, sigmas (widths are irrelevant: they are infinite).</param>
    /// <param name="x1">Inputs [N1, n_0].</param>
    /// <param name="x2">Inputs [N2, n_0], or null for x1. Then only the upper triangle is computed and mirrored, so the
    /// result is exactly symmetric and costs half as much.</param>
    /// <param name="quadrature">Rule for activations without closed form; <see cref="GaussianQuadrature.Default"/> if null.</param>
    /// <param name="rowBlock">Rows of x1 processed at once; default: <see cref="DefaultBlockPairs"/> pairs per block.</param>
    public static KernelPair Compute(FullyConnectedArchitecture architecture, Tensor x1, Tensor? x2 = null,
        GaussianQuadrature? quadrature = null, int? rowBlock = null)
    {
        var expectations = Prepare(architecture, quadrature);
        if (rowBlock is { } requested) Guard.Positive(requested, nameof(rowBlock));
        Guard.SameDevice((x1, nameof(x1)), (x2, nameof(x2)));
        var a = CheckInputs(architecture, x1, nameof(x1));
        var symmetric = x2 is null;
        var b = x2 is null ? a : CheckInputs(architecture, x2, nameof(x2));
        var (n1, n2) = (a.shape[0], b.shape[0]);

        var variances2 = InputVariances(architecture, b);
        var nngp = empty([n1, n2], float64, b.device);
        var ntk = empty([n1, n2], float64, b.device);
        for (long i0 = 0, rows; i0 < n1; i0 += rows)
        {
            using var scope = NewDisposeScope();
            // With x2 = x1, the columns left of i0 are the mirror image of earlier blocks.
            var c0 = symmetric ? i0 : 0;
            var columns = n2 - c0;
            rows = Math.Min(n1 - i0, rowBlock ?? Math.Max(1, DefaultBlockPairs / columns));
            var (xa, xb) = (a.narrow(0, i0, rows), b.narrow(0, c0, columns));
            var (k, theta) = Recurse(architecture, expectations,
                InputVariances(architecture, xa).unsqueeze(1),
                FirstLayer(architecture, xa.matmul(xb.T)),
                variances2.narrow(0, c0, columns).unsqueeze(0),
                pinDiagonal: symmetric);
            var where = $"AnalyticKernels.Compute, rows {i0}..{i0 + rows - 1} of x1";
            Store(nngp, Guard.CheckFinite(k, where + " (NNGP)"), i0, c0, symmetric);
            Store(ntk, Guard.CheckFinite(theta, where + " (NTK)"), i0, c0, symmetric);
        }
        return new KernelPair(nngp, ntk);
    }

    /// <summary>Only the diagonal K(x, x) and Theta(x, x), each [N] float64: O(N) work.</summary>
    public static KernelPair Diagonal(FullyConnectedArchitecture architecture, Tensor x, GaussianQuadrature? quadrature = null)
    {
        var expectations = Prepare(architecture, quadrature);
        var a = CheckInputs(architecture, x, nameof(x));
        var d = InputVariances(architecture, a);
        var (k, theta) = Recurse(architecture, expectations, d, d, d);
        return new KernelPair(Guard.CheckFinite(k, "AnalyticKernels.Diagonal (NNGP)"), Guard.CheckFinite(theta, "AnalyticKernels.Diagonal (NTK)"));
    }

    // Writes a block of rows i0.. and columns c0.. into the kernel; when symmetric (c0 = i0), also its mirror image
    // below the diagonal, and the block's own lower triangle from its upper one.
    static void Store(Tensor kernel, Tensor block, long i0, long c0, bool symmetric)
    {
        var (rows, columns) = (block.shape[0], block.shape[1]);
        kernel.narrow(0, i0, rows).narrow(1, c0, columns).copy_(block);
        if (!symmetric) return;
        kernel.narrow(0, i0 + rows, columns - rows).narrow(1, i0, rows).copy_(block.narrow(1, rows, columns - rows).T);
        var square = kernel.narrow(0, i0, rows).narrow(1, i0, rows);
        using var upper = square.triu(1);
        square.copy_(upper).add_(upper.T).diagonal().copy_(block.diagonal());
    }

    // Runs layers 1..L of the recursion from the first-layer kernels; k11/k22 are the diagonal variances of the two
    // sides (broadcastable against k12, which the recursion may overwrite). Returns K^{L+1}, Theta^{L+1}.
    // pinDiagonal: k12's main diagonal pairs each point with itself (x2 = x1). Its entries K(x, x) are then copied
    // from the diagonal recursion at every layer, so the pair (x, x) has an exactly singular covariance. Otherwise
    // rounding leaves det = k11 k22 - k12^2 at +-1e-16, the angle between x and itself at ~1e-8 (the angle is a square
    // root of det), and TDot of kinked activations (ReLU) 1e-9 off, an error that compounds with depth.
    static (Tensor K, Tensor Theta) Recurse(FullyConnectedArchitecture architecture, GaussianExpectations expectations,
        Tensor k11, Tensor k12, Tensor k22, bool pinDiagonal = false)
    {
        if (pinDiagonal) k12.diagonal().copy_(k11.flatten());
        var (sw2, sb2) = (architecture.WeightVariance, architecture.BiasVariance);
        var theta = k12;
        for (var l = 0; l < architecture.Depth; l++)
        {
            // The layer's temporaries are freed as soon as it is done, so a block's working set stays small.
            using var layer = NewDisposeScope();
            var (t, tDot) = expectations(k11, k12, k22);
            var next = t.mul(sw2).add_(sb2);
            theta = addcmul(next, tDot, theta, sw2);
            // The diagonal variances follow the same map (T of a point with itself).
            var same = ReferenceEquals(k11, k22);
            k11 = expectations(k11, k11, k11).T.mul(sw2).add_(sb2);
            k22 = same ? k11 : expectations(k22, k22, k22).T.mul(sw2).add_(sb2);
            k12 = next;
            if (pinDiagonal) k12.diagonal().copy_(k11.flatten());
            layer.MoveToOuter(same ? [k11, k12, theta] : [k11, k12, k22, theta]);
        }
        return (k12, theta);
    }

    static GaussianExpectations Prepare(FullyConnectedArchitecture architecture, GaussianQuadrature? quadrature)
    {
        ArgumentNullException.ThrowIfNull(architecture);
        if (architecture.Parameterization != Parameterization.Ntk)
            throw new ArgumentException(
                $"The analytic NTK is the infinite-width limit of the NTK parameterization (Eq 1); got {architecture.Parameterization}. " +
                "Use architecture.WithParameterization(Parameterization.Ntk): the NNGP is the same, and standard-parameterization dynamics " +
                "map to it through the layer-wise learning rates of S37.", nameof(architecture));
        if (architecture.Activation.ClosedForm is { } closedForm) return closedForm;
        architecture.Activation.RequireDerivative("the analytic NTK");
        var rule = quadrature ?? GaussianQuadrature.Default;
        return (k11, k12, k22) => rule.Expectations(architecture.Activation, k11, k12, k22);
    }

    static Tensor CheckInputs(FullyConnectedArchitecture architecture, Tensor x, string name)
    {
        Guard.Matrix(x, architecture.InputDim, name);
        var x64 = x.to(float64);
        if (!architecture.UseBias)
        {
            using var norms = x64.square().sum(1);
            using var zero = norms.eq(0).nonzero();
            if (zero.shape[0] > 0)
                throw new ArgumentException(
                    $"{name} row {zero[0, 0].item<long>()} is the zero vector; without biases its kernel is degenerate (0/0 angles). Add sigma_b > 0 or remove it.", name);
        }
        return x64;
    }

    static Tensor InputVariances(FullyConnectedArchitecture architecture, Tensor x) =>
        FirstLayer(architecture, x.square().sum(1));

    static Tensor FirstLayer(FullyConnectedArchitecture architecture, Tensor dots) =>
        dots * (architecture.WeightVariance / architecture.InputDim) + architecture.BiasVariance;
}
