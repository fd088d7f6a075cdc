using NtkNotebooks.Spectrum;
using NtkNotebooks.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace NtkNotebooks.Dynamics;

/// <summary>
/// Gradient descent with momentum on the linear model in function space (S1-S4). The recursion
/// theta_{i+1} = theta_i + beta (theta_i - theta_{i-1}) - eta grad L (with theta_{-1} = theta_0, which is also what
/// TorchSharp's SGD with momentum does) becomes, for the training residual's component z on an eigenmode lambda,
/// <code>z_{i+1} = (1 + beta - eta lambda) z_i - beta z_{i-1},   z_{-1} = z_0,</code>
/// stable iff eta lambda &lt; 2 (1 + beta). Solved exactly per mode with a 2 x 2 matrix power.
/// </summary>
public sealed class MomentumDynamics
{
    readonly MseDynamics _mse;

    /// <param name="trainKernel">Theta(X, X) [N, N].</param>
    /// <param name="trainTargets">Y [N, k].</param>
    /// <param name="learningRate">eta under <paramref name="reduction"/>.</param>
    /// <param name="momentum">beta in [0, 1).</param>
    /// <param name="reduction">Loss convention of the rate.</param>
    public MomentumDynamics(Tensor trainKernel, Tensor trainTargets, double learningRate, double momentum, LossReduction reduction = LossReduction.Mean)
    {
        if (momentum is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "Expected 0 <= momentum < 1.");
        _mse = new MseDynamics(trainKernel, trainTargets, learningRate, reduction);
        Momentum = momentum;
    }

    /// <summary>beta.</summary>
    public double Momentum { get; }
    /// <summary>The kernel's eigendecomposition.</summary>
    public KernelSpectrum Spectrum => _mse.Spectrum;

    /// <summary>f after <paramref name="steps"/> steps on the training inputs [N, k].</summary>
    public Tensor TrainOutputs(Tensor f0Train, int steps)
    {
        if (steps < 0) throw new ArgumentOutOfRangeException(nameof(steps), steps, "Expected steps >= 0.");
        var f0 = _mse.CheckOutputs(f0Train, _mse.Targets.shape[0], nameof(f0Train));
        var y = _mse.Targets;
        var a = 1 + Momentum - _mse.Eta * Spectrum.Eigenvalues;   // [N]
        var transition = stack([stack([a, full_like(a, -Momentum)], 1), stack([ones_like(a), zeros_like(a)], 1)], 1); // [N, 2, 2]
        var power = transition.matrix_power(steps);
        var factor = power[.., 0, 0] + power[.., 0, 1]; // [z_n, z_{n-1}] = M^n [z_0, z_0]
        var outputs = y + _mse.Unstack(_mse.ApplySpectral(_mse.Stack(f0 - y), factor));
        if (!Guard.AllFinite(outputs))
            throw new ArithmeticException(
                $"MomentumDynamics.TrainOutputs overflowed after {steps} steps: learningRate {_mse.LearningRate:G4} is above the divergence limit " +
                $"{Spectrum.MaxLearningRate(Momentum, _mse.Reduction, _mse.Targets.numel()):G4} = 2(1 + beta)/lambda_max ({_mse.Reduction} loss).");
        return outputs;
    }

    /// <summary>f after <paramref name="steps"/> steps on test inputs: f_0(x) + Theta(x, X) Theta^+ (f_n(X) - f_0(X)),
    /// since every update lies in the span of J_0(X)^T.</summary>
    public Tensor TestOutputs(Tensor testTrainKernel, Tensor f0Test, Tensor f0Train, int steps)
    {
        var change = TrainOutputs(f0Train, steps) - f0Train.to(float64);
        var f0x = _mse.CheckOutputs(f0Test, testTrainKernel.shape[0], nameof(f0Test));
        return f0x + _mse.TestMap(testTrainKernel, change, [double.PositiveInfinity], discrete: false)[0];
    }
}
