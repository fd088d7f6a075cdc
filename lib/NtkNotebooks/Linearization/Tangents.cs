using NtkNotebooks.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NtkNotebooks.Linearization;

/// <summary>
/// Jacobian-vector and vector-Jacobian products of a network at its current parameters theta, the two halves of the
/// linearized model f_lin(x) = f_0(x) + J_0(x) (theta - theta_0) (Eq 5-7) and of its gradient J_0(x)^T dL/df.
/// TorchSharp has no forward-mode AD (PLATFORM.md §3), so J v is computed either by propagating tangents through the
/// layers (fully connected networks: one forward pass) or as the VJP of a VJP (any network: two backward passes).
/// Tangents and cotangents are lists aligned with <c>network.parameters()</c>, on the network's device; results are in
/// the network's dtype on that device.
/// </summary>
public static class Tangents
{
    /// <summary>J(x) v [N, k]: the change of the outputs along the parameter direction <paramref name="tangent"/>.</summary>
    public static Tensor Jvp(INtkNetwork network, Tensor x, IReadOnlyList<Tensor> tangent) =>
        network is FullyConnectedNetwork { Architecture.Activation.Derivative: not null } fc
            ? JvpForwardMode(fc, x, tangent)
            : JvpDoubleBackward(network, x, tangent);

    /// <summary>J(x)^T u: the parameter-space pullback of output cotangents <paramref name="cotangent"/> [N, k].</summary>
    public static Tensor[] Vjp(INtkNetwork network, Tensor x, Tensor cotangent)
    {
        ArgumentNullException.ThrowIfNull(network);
        var parameters = CheckedParameters(network);
        var input = network.PrepareInput(x, nameof(x));
        using var grad = enable_grad();
        var output = network.call(input);
        CheckCotangent(cotangent, output);
        var grads = autograd.grad([output], parameters, [cotangent.to(output.dtype)], allow_unused: true);
        return grads.Select((g, i) => g.IsInvalid ? zeros_like(parameters[i]) : g).ToArray();
    }

    /// <summary>J(x) v by forward-mode tangent propagation through a fully connected network:
    /// dh^l = a_l (dx^{l-1} W^l + x^{l-1} dW^l) + c_l db^l, dx^l = phi'(h^l) dh^l.</summary>
    public static Tensor JvpForwardMode(FullyConnectedNetwork network, Tensor x, IReadOnlyList<Tensor> tangent)
    {
        ArgumentNullException.ThrowIfNull(network);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        return PropagateTangent(network, network.PrepareInput(x, nameof(x)), tangent).Jvp.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// f(x) (detached) and J(x) v, the latter differentiable in v (not in the network's parameters), from one pass:
    /// the forward pass of a linearized model, f_0(x) + J_0(x) (theta - theta_0), whose gradient in theta is then
    /// J_0(x)^T dL/df.
    /// </summary>
    internal static (Tensor Output, Tensor Jvp) OutputAndJvpDifferentiable(INtkNetwork network, Tensor input, IReadOnlyList<Tensor> tangent)
    {
        var (output, jvp) = network is FullyConnectedNetwork { Architecture.Activation.Derivative: not null } fc
            ? PropagateTangent(fc, input, tangent)
            : JvpDoubleBackward(network, input, tangent, createGraph: true);
        return (output.detach(), jvp);
    }

    // One forward pass carrying the tangent along: returns f(x) and J(x) v.
    static (Tensor Output, Tensor Jvp) PropagateTangent(FullyConnectedNetwork network, Tensor a, IReadOnlyList<Tensor> tangent)
    {
        var parameters = network.parameters().ToArray();
        CheckTangent(tangent, parameters);
        var index = parameters.Select((p, i) => (p, i)).ToDictionary(t => t.p.Handle, t => t.i);
        var derivative = network.Architecture.Activation.RequireDerivative("forward-mode tangents");
        Tensor? da = null; // the input does not move
        for (var l = 0; l < network.LayerCount; l++)
        {
            var dw = tangent[index[network.Weights[l].Handle]].to(network.DType);
            var dh = a.matmul(dw);
            if (da is not null) dh = dh + da.matmul(network.Weights[l]);
            if (network.WeightScales[l] != 1.0) dh = dh * network.WeightScales[l];
            if (network.Biases[l] is { } b) dh = dh + tangent[index[b.Handle]].to(network.DType) * network.BiasScales[l];
            var h = network.Affine(l, a);
            if (l == network.LayerCount - 1) return (h, dh);
            da = derivative(h) * dh;
            a = network.Architecture.Activation.Apply(h);
        }
        throw new InvalidOperationException("unreachable");
    }

    /// <summary>
    /// J(x) v for any network as the VJP of a VJP: with g(u) = J^T u (linear in a dummy u),
    /// J v = d/du [g(u) . v]. Two backward passes, the second through the first (double backward).
    /// </summary>
    public static Tensor JvpDoubleBackward(INtkNetwork network, Tensor x, IReadOnlyList<Tensor> tangent)
    {
        ArgumentNullException.ThrowIfNull(network);
        return JvpDoubleBackward(network, network.PrepareInput(x, nameof(x)), tangent, createGraph: false).Jvp;
    }

    // Returns the network's output too, which the first backward pass needs anyway.
    static (Tensor Output, Tensor Jvp) JvpDoubleBackward(INtkNetwork network, Tensor input, IReadOnlyList<Tensor> tangent, bool createGraph)
    {
        var parameters = CheckedParameters(network);
        CheckTangent(tangent, parameters);
        using var scope = NewDisposeScope();
        using var grad = enable_grad();
        var output = network.call(input);
        if (!output.requires_grad) return (output.detach().MoveToOuterDisposeScope(), zeros_like(output).MoveToOuterDisposeScope());
        var u = zeros_like(output).requires_grad_(true);
        // PLATFORM.md §3: TorchSharp does not default retain_graph to create_graph; pass both.
        var pullback = autograd.grad([output], parameters, [u], retain_graph: true, create_graph: true, allow_unused: true);
        Tensor? dot = null;
        for (var i = 0; i < pullback.Count; i++)
        {
            if (pullback[i].IsInvalid) continue;
            var term = (pullback[i] * tangent[i].to(output.dtype)).sum();
            dot = dot is null ? term : dot + term;
        }
        if (dot is null || !dot.requires_grad) return (output.detach().MoveToOuterDisposeScope(), zeros_like(output).detach().MoveToOuterDisposeScope());
        var jvp = autograd.grad([dot], [u], retain_graph: createGraph, create_graph: createGraph)[0];
        return (output.detach().MoveToOuterDisposeScope(), (createGraph ? jvp : jvp.detach()).MoveToOuterDisposeScope());
    }

    static Parameter[] CheckedParameters(INtkNetwork network)
    {
        var parameters = network.parameters().ToArray();
        if (parameters.Length == 0) throw new ArgumentException("The network has no parameters.", nameof(network));
        foreach (var p in parameters)
            if (!p.requires_grad) throw new ArgumentException("Every parameter must require gradients.", nameof(network));
        return parameters;
    }

    static void CheckTangent(IReadOnlyList<Tensor> tangent, Parameter[] parameters)
    {
        ArgumentNullException.ThrowIfNull(tangent);
        if (tangent.Count != parameters.Length)
            throw new ArgumentException($"tangent must have one tensor per parameter ({parameters.Length}), but has {tangent.Count}.", nameof(tangent));
        for (var i = 0; i < parameters.Length; i++)
        {
            if (!tangent[i].shape.SequenceEqual(parameters[i].shape))
                throw new ArgumentException($"tangent[{i}] must have shape {Guard.Shape(parameters[i])}, but has shape {Guard.Shape(tangent[i])}.", nameof(tangent));
            Guard.OnDevice(tangent[i], parameters[i].device, $"tangent[{i}]", "the network's parameters");
        }
    }

    static void CheckCotangent(Tensor cotangent, Tensor output)
    {
        ArgumentNullException.ThrowIfNull(cotangent);
        if (!cotangent.shape.SequenceEqual(output.shape))
            throw new ArgumentException($"cotangent must have the outputs' shape {Guard.Shape(output)}, but has shape {Guard.Shape(cotangent)}.", nameof(cotangent));
        Guard.OnDevice(cotangent, output.device, nameof(cotangent), "the network's outputs");
    }
}
