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
    /// <summary>
    /// Checks the input's shape and device and converts it to <see cref="DType"/>, without reading its values (no
    /// device synchronisation): what every forward pass does. An input on another device than <see cref="Device"/> is
    /// an error, never silently copied.
    /// </summary>
    Tensor ConformInput(Tensor x, string name);
    /// <summary><see cref="ConformInput"/>, and at least one example with only finite values: what API entry points do once per call.</summary>
    Tensor PrepareInput(Tensor x, string name);
}
