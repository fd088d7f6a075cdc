using static TorchSharp.torch;

namespace NtkNotebooks.Models;

/// <summary>
/// What the kernel, linearization and training code needs to know about a network f(x; theta): a TorchSharp
/// module mapping inputs [N, ..InputShape] to outputs [N, Outputs], with its dtype and device.
/// </summary>
public interface INtkNetwork
{
    /// <summary>k, the number of outputs.</summary>
    int Outputs { get; }
    /// <summary>The shape of one input example (without the batch dimension).</summary>
    long[] InputShape { get; }
    /// <summary>Parameter and computation dtype.</summary>
    ScalarType DType { get; }
    /// <summary>Where the parameters live.</summary>
    Device Device { get; }
    /// <summary>The module's trained parameters theta (in a fixed order).</summary>
    IEnumerable<TorchSharp.Modules.Parameter> parameters(bool recurse = true);
    /// <summary>f(x; theta).</summary>
    Tensor call(Tensor x);
    /// <summary>Checks the input's shape and values and converts it to <see cref="DType"/> on <see cref="Device"/>.</summary>
    Tensor PrepareInput(Tensor x, string name);
}
