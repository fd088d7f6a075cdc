namespace NtkNotebooks.Benchmarks.Harness;

/// <summary>
/// Floating-point operation counts of the library's algorithms, used to turn a time into an achieved rate.
/// Widths are n_0 (inputs), n_1 .. n_L (hidden), n_{L+1} = k (outputs). A multiply-add counts as 2 operations;
/// a transcendental (sqrt, atan2) counts as 1 (a nominal count for elementwise work, which is memory-bound).
/// </summary>
public static class FlopCount
{
    /// <summary>
    /// <see cref="NtkNotebooks.Kernels.StructuredNtk"/> of N1 x N2 inputs, matrix products only:
    /// <code>
    /// forward  (per distinct side):  sum_{l=1}^{L+1} 2 N n_{l-1} n_l
    /// backward (per distinct side):  sum_{l=1}^{L}   2 N k n_{l+1} n_l          (G_l = G_{l+1} (a W^{l+1})^T)
    /// Grams:  sum_{l=1}^{L+1} 2 N1 N2 n_{l-1}   +   sum_{l=1}^{L} 2 N1 N2 k n_l  (input and cotangent Gram products)
    /// </code>
    /// The O(N1 N2 L) float64 elementwise updates of the kernel are not counted. With x2 = x1 (one distinct side)
    /// the library still forms the full N x N Grams (no symmetric rank-k update), which is what is counted.
    /// </summary>
    public static double StructuredNtk(IReadOnlyList<int> widths, long n1, long n2, bool sameInputs)
    {
        var layers = widths.Count - 1;
        double k = widths[^1];
        double forward = 0, backward = 0, gram = 0;
        for (var l = 1; l <= layers; l++)
        {
            forward += 2.0 * widths[l - 1] * widths[l];
            gram += 2.0 * n1 * n2 * widths[l - 1];
            if (l < layers)
            {
                backward += 2.0 * k * widths[l + 1] * widths[l];
                gram += 2.0 * n1 * n2 * k * widths[l];
            }
        }
        var examples = sameInputs ? n1 : n1 + n2;
        return examples * (forward + backward) + gram;
    }

    /// <summary>
    /// <see cref="NtkNotebooks.Kernels.JacobianNtk"/>: <paramref name="jacobianRows"/> per-example Jacobians (a forward
    /// pass, 2 P_w, and k backward passes, each 2 P_w for the weight gradients plus 2 (P_w - n_0 n_1) for the layer
    /// inputs' gradients; P_w = sum n_{l-1} n_l) and the contraction J(x) J(x')^T, 2 k^2 P per contracted pair.
    /// </summary>
    public static double JacobianNtk(IReadOnlyList<int> widths, long parameters, long jacobianRows, long contractedPairs)
    {
        double k = widths[^1];
        var weights = WeightCount(widths);
        var perExample = 2.0 * weights + k * (4.0 * weights - 2.0 * widths[0] * widths[1]);
        return jacobianRows * perExample + 2.0 * contractedPairs * k * k * parameters;
    }

    /// <summary>
    /// <see cref="NtkNotebooks.Kernels.AnalyticKernels"/> for ReLU at depth L on N inputs (x2 = x1: only the N (N + 1) / 2
    /// pairs of the upper triangle are computed): the input Gram 2 n_0 per pair, the first layer's affine map (2), and
    /// per layer 16 elementwise operations: the arc-cosine closed forms (k11 k22, k12^2, subtract, clamp, sqrt, atan2,
    /// TDot = 1/2 - theta/(2 pi): 2, T = sqrt(det)/(2 pi) + TDot k12: 3; 11) and the recursion
    /// (K = sigma_w^2 T + sigma_b^2: 2, Theta = K + sigma_w^2 TDot Theta: 3). Nominal: memory-bound work.
    /// </summary>
    public static double AnalyticRelu(int inputDim, int depth, long n) =>
        n * (n + 1) / 2.0 * (2.0 * inputDim + 2 + 16.0 * depth);

    /// <summary>
    /// <see cref="NtkNotebooks.Dynamics.MseDynamics"/>: the symmetric eigendecomposition of the N x N kernel
    /// (nominal 14/3 N^3: tridiagonal reduction 4/3 N^3, divide and conquer 4/3 N^3, back-transformation 2 N^3), the two
    /// projections V^T r of the train and test residuals (4 N^2 k, once for all times), and per time point
    /// V (d_t * .) and V (g_t * .) (4 N^2 k) and Theta(x, X) times the latter (2 M N k).
    /// </summary>
    public static double ClosedForm(long n, long m, long k, int timePoints) =>
        14.0 / 3.0 * n * n * (double)n + 4.0 * n * n * k + timePoints * (4.0 * n * n * k + 2.0 * m * n * k);

    /// <summary>
    /// One full-batch SGD step of the network on N examples: forward 2 N P_w, backward 2 N P_w (weight gradients)
    /// plus 2 N (P_w - n_0 n_1) (gradients of hidden layer inputs). Elementwise work is not counted.
    /// </summary>
    public static double TrainingStep(IReadOnlyList<int> widths, long n)
    {
        var weights = WeightCount(widths);
        return n * (6.0 * weights - 2.0 * widths[0] * widths[1]);
    }

    /// <summary>
    /// One full-batch SGD step of its <see cref="NtkNotebooks.Linearization.LinearizedNetwork"/>, as the library
    /// computes it: f_0 (2 N P_w), the tangent propagation (x dW: 2 N P_w; dx W: 2 N (P_w - n_0 n_1); the recomputed
    /// affine maps: 2 N P_w), and its backward pass (dW: 2 N P_w; dx: 2 N (P_w - n_0 n_1)).
    /// </summary>
    public static double LinearizedTrainingStep(IReadOnlyList<int> widths, long n)
    {
        var weights = WeightCount(widths);
        return n * (12.0 * weights - 4.0 * widths[0] * widths[1]);
    }

    /// <summary>P_w = sum_l n_{l-1} n_l, the number of weights.</summary>
    public static double WeightCount(IReadOnlyList<int> widths)
    {
        double total = 0;
        for (var l = 1; l < widths.Count; l++) total += (double)widths[l - 1] * widths[l];
        return total;
    }
}
