using NtkNotebooks.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NtkNotebooks.Linearization;

/// <summary>
/// The weight-space linearization of a network around its initial parameters theta_0 (Eq 5-7):
/// <code>f_lin(x; theta) = f_0(x) + J_0(x) (theta - theta_0)</code>
/// a TorchSharp module whose trainable parameters theta start at theta_0 and have the network's shapes, so it trains
/// with exactly the optimizers the network uses. J_0 is never materialised: the forward pass is one pass of the frozen
/// network that carries the Jacobian-vector product along (<see cref="Tangents"/>), the backward pass a VJP.
/// </summary>
public sealed class LinearizedNetwork : nn.Module<Tensor, Tensor>, INtkNetwork
{
    readonly INtkNetwork _base;
    readonly Parameter[] _theta;
    readonly Tensor[] _theta0;

    /// <summary>Linearizes <paramref name="network"/> at its current parameters.</summary>
    /// <remarks>
    /// The network is left as it was: its parameters are held constant only while this module's forward pass runs, so
    /// it stays trainable, but training it moves the point this linearization expands around (theta_0 is copied, the
    /// frozen network is not). Create a separate instance (same seed) for the network you train next to it.
    /// </remarks>
    public LinearizedNetwork(INtkNetwork network) : base("LinearizedNetwork")
    {
        _base = network ?? throw new ArgumentNullException(nameof(network));
        var named = ((nn.Module)network).named_parameters().ToArray();
        if (named.Length == 0) throw new ArgumentException("The network has no parameters.", nameof(network));
        _theta0 = named.Select(p => p.parameter.detach().clone()).ToArray();
        _theta = new Parameter[named.Length];
        for (var i = 0; i < named.Length; i++)
        {
            _theta[i] = new Parameter(named[i].parameter.detach().clone(), requires_grad: true);
            register_parameter(named[i].name.Replace('.', '_'), _theta[i]);
        }
        // The forward-mode JVP of a fully connected network treats theta_0 as constants (no graph through them); the
        // generic double-backward JVP differentiates through them, so they keep requires_grad there.
        _frozenDuringForward = network is FullyConnectedNetwork { Architecture.Activation.Derivative: not null }
            ? named.Select(p => p.parameter).ToArray()
            : [];
    }

    readonly Parameter[] _frozenDuringForward;

    /// <summary>The frozen network at theta_0.</summary>
    public INtkNetwork Base => _base;
    /// <summary>theta_0, in <c>parameters()</c> order.</summary>
    public IReadOnlyList<Tensor> InitialParameters => _theta0;
    /// <inheritdoc/>
    public int Outputs => _base.Outputs;
    /// <inheritdoc/>
    public long[] InputShape => _base.InputShape;
    /// <inheritdoc/>
    public ScalarType DType => _base.DType;
    /// <inheritdoc/>
    public Device Device => _base.Device;

    /// <inheritdoc/>
    public Tensor PrepareInput(Tensor x, string name) => _base.PrepareInput(x, name);

    /// <inheritdoc/>
    public Tensor ConformInput(Tensor x, string name) => _base.ConformInput(x, name);

    /// <summary>omega = theta - theta_0, detached, in <c>parameters()</c> order.</summary>
    public Tensor[] WeightChange()
    {
        using var _ = no_grad();
        return _theta.Zip(_theta0, (t, t0) => (t - t0).detach()).ToArray();
    }

    /// <summary>f_0(x) + J_0(x) (theta - theta_0) [N, k].</summary>
    public override Tensor forward(Tensor x)
    {
        var input = ConformInput(x, nameof(x));
        var omega = _theta.Zip(_theta0, (t, t0) => t - t0).ToArray();
        var requiresGrad = _frozenDuringForward.Select(p => p.requires_grad).ToArray();
        foreach (var p in _frozenDuringForward) p.requires_grad_(false);
        try
        {
            var (f0, jvp) = Tangents.OutputAndJvpDifferentiable(_base, input, omega); // one pass of the frozen network
            return f0 + jvp;
        }
        finally
        {
            // The recorded graph keeps what it saw; the caller's network gets its flags back.
            for (var i = 0; i < requiresGrad.Length; i++) _frozenDuringForward[i].requires_grad_(requiresGrad[i]);
        }
    }

    /// <inheritdoc/>
    public override string ToString() => $"Linearization of {_base}";
}
