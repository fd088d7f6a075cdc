using System.Runtime.CompilerServices;
using NtkNotebooks.Platform;

namespace NtkNotebooks.Tests;

internal static class LibTorchLoader
{
    // Before any test touches TorchSharp: with TorchBackend=external, libtorch comes from NTK_LIBTORCH_DIR (CI sets it),
    // and TorchSharp's own loader would otherwise look elsewhere.
    [ModuleInitializer]
    internal static void Load() => TorchRuntime.Initialize(device: "cpu");
}
