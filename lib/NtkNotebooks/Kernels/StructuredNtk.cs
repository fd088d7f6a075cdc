using NtkNotebooks.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace NtkNotebooks.Kernels;

/// <summary>
/// The fast empirical NTK of a <see cref="FullyConnectedNetwork"/> (PAPER.md, end of "Where to read more";
/// Novak et al. 2022): with x^{l-1} the input of layer l, h^l = a_l x^{l-1} W^l + c_l b^l and G_l = df/dh^l [k, n_l],
/// <code>Theta_hat(x, x') = sum_l [ a_l^2 x^{l-1}(x) . x^{l-1}(x') + c_l^2 ] G_l(x) G_l(x')^T</code>
/// One batched forward pass keeps every x^{l-1} and h^l; one batched backward pass
/// G_l = (G_{l+1} (a_{l+1} W^{l+1})^T) * phi'(h^l), starting from G_{L+1} = I_k, gives every G_l.
/// The kernel is then a sum of Gram products, never materialising the P-wide Jacobian.
/// Equal to <see cref="JacobianNtk"/> up to round-off. Runs on the network's device: the passes in the network's dtype
/// (float32 is enough for the factors), the Gram products accumulated in float64; the result is float64 on that device.
/// </summary>
public static partial class StructuredNtk
{
    /// <summary>Theta_hat(x1, x2) (x2 = x1 when null), float64.</summary>
    /// <param name="network">A fully connected network whose activation has a derivative.</param>
    /// <param name="x1">Inputs [N1, n_0].</param>
    /// <param name="x2">Inputs [N2, n_0], or null for x1.</param>
    /// <param name="outputs">Mean (default) / Trace: [N1, N2]; Full: [N1, N2, k, k].</param>
    public static Tensor Compute(FullyConnectedNetwork network, Tensor x1, Tensor? x2 = null, KernelOutputs outputs = KernelOutputs.Mean)
    {
        ArgumentNullException.ThrowIfNull(network);
        network.Architecture.Activation.RequireDerivative("the structured NTK");
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var left = LayerFactors.Of(network, network.PrepareInput(x1, nameof(x1)));
        var right = x2 is null ? left : LayerFactors.Of(network, network.PrepareInput(x2, nameof(x2)));
        var k = network.Outputs;
        long n1 = left.Count, n2 = right.Count;

        var kernel = outputs == KernelOutputs.Full ? zeros([n1, n2, k, k], float64, network.Device) : zeros([n1, n2], float64, network.Device);
        for (var l = 0; l < network.LayerCount; l++)
        {
            // Each layer's N1 x N2 products are freed before the next; the sums accumulate in place, in float64
            // (a float32 network's products are widened elementwise as they are added).
            using var layer = NewDisposeScope();
            var scale = InputGram(network, l, left.LayerInputs[l], right.LayerInputs[l]); // [N1, N2]
            if (l == network.LayerCount - 1)
            {
                // G_{L+1} = I_k: the readout contributes scale * delta_ab.
                var readout = outputs == KernelOutputs.Full ? kernel.diagonal(0, 2, 3) : kernel;
                readout.add_(outputs == KernelOutputs.Full ? scale.unsqueeze(-1) : scale, outputs == KernelOutputs.Trace ? k : 1);
                continue;
            }
            Tensor g1 = left.Cotangents[l], g2 = right.Cotangents[l]; // [N, k, n_l]
            var width = g1.shape[2];
            if (outputs == KernelOutputs.Full)
            {
                var gram = g1.reshape(n1 * k, width).matmul(g2.reshape(n2 * k, width).T).reshape(n1, k, n2, k).permute(0, 2, 1, 3);
                kernel.addcmul_(scale.unsqueeze(-1).unsqueeze(-1), gram, 1);
            }
            else
            {
                var gram = g1.reshape(n1, k * width).matmul(g2.reshape(n2, k * width).T);
                kernel.addcmul_(scale, gram, outputs == KernelOutputs.Mean ? 1.0 / k : 1);
            }
        }
        return Guard.CheckFinite(kernel, "StructuredNtk.Compute").MoveToOuterDisposeScope();
    }

    /// <summary>a_l^2 x^{l-1}(x) . x^{l-1}(x') + c_l^2 [N1, N2], in the network's dtype.</summary>
    internal static Tensor InputGram(FullyConnectedNetwork network, int layer, Tensor inputs1, Tensor inputs2)
    {
        var gram = inputs1.matmul(inputs2.T).mul_(network.WeightScales[layer] * network.WeightScales[layer]);
        return network.Biases[layer] is null ? gram : gram.add_(network.BiasScales[layer] * network.BiasScales[layer]);
    }

    /// <summary>Per-example factors of the structured NTK: layer inputs x^{l-1} and output cotangents G_l.</summary>
    internal sealed record LayerFactors(Tensor[] LayerInputs, Tensor[] Cotangents, long Count)
    {
        /// <summary>One batched forward pass and one batched backward pass (in the network's dtype).</summary>
        public static LayerFactors Of(FullyConnectedNetwork network, Tensor x)
        {
            var (inputs, pre, _) = network.Trace(x);
            var derivative = network.Architecture.Activation.RequireDerivative("the structured NTK");
            var n = x.shape[0];
            var k = network.Outputs;
            var layers = network.LayerCount;
            var g = new Tensor[layers];
            g[layers - 1] = eye(k, dtype: network.DType, device: network.Device).expand(n, k, k);
            for (var l = layers - 2; l >= 0; l--)
            {
                var back = g[l + 1].matmul(network.Weights[l + 1].T);
                if (network.WeightScales[l + 1] != 1.0) back = back.mul(network.WeightScales[l + 1]);
                g[l] = back.mul(derivative(pre[l]).unsqueeze(1));
            }
            return new LayerFactors(inputs, g, n);
        }
    }
}
