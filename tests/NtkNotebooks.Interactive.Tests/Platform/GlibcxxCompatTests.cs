using NtkNotebooks.Platform;

namespace NtkNotebooks.Interactive.Tests.Platform;

public class GlibcxxCompatTests
{
    static string? TorchSharpNative()
    {
        var candidates = new[]
        {
            Path.Combine(AppContext.BaseDirectory, "libLibTorchSharp.so"),
            Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so"),
        };
        return candidates.FirstOrDefault(File.Exists);
    }

    [SkippableFact]
    public void Patch_WeakensExactlyTheOneRequirement_AndIsIdempotent()
    {
        var native = TorchSharpNative();
        Skip.If(native is null, "No libLibTorchSharp.so beside the tests: not a Linux build, nothing to patch.");
        var copy = Path.Combine(Path.GetTempPath(), $"ntk-elf-{Guid.NewGuid():N}.so");
        try
        {
            File.Copy(native!, copy);
            GlibcxxCompat.SetWeakFlag(copy, GlibcxxCompat.RequiredVersion, weak: false); // back to the file as TorchSharp ships it
            var original = File.ReadAllBytes(copy);
            Assert.True(GlibcxxCompat.HasStrongRequirement(copy));

            Assert.True(GlibcxxCompat.WeakenVersionRequirement(copy));
            Assert.False(GlibcxxCompat.HasStrongRequirement(copy));
            var patched = File.ReadAllBytes(copy);
            Assert.Equal(original.Length, patched.Length);
            Assert.Single(Enumerable.Range(0, original.Length), i => original[i] != patched[i]);

            Assert.False(GlibcxxCompat.WeakenVersionRequirement(copy)); // second run: no change
        }
        finally
        {
            File.Delete(copy);
        }
    }

    [Fact]
    public void NonElfFiles_AreRejectedWithTheirPath()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "not an ELF file, just text that is long enough to have a header of sixty-four bytes");
            var e = Assert.Throws<InvalidDataException>(() => GlibcxxCompat.WeakenVersionRequirement(path));
            Assert.Contains(path, e.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [SkippableFact]
    public void TheBuild_LeftTheLoadedNativeLibraryLoadableOnThisHost()
    {
        var native = TorchSharpNative();
        Skip.If(native is null, "No libLibTorchSharp.so beside the tests: not a Linux build.");
        Skip.IfNot(GlibcxxCompat.HostNeedsPatch(), $"This host's libstdc++ has {GlibcxxCompat.RequiredVersion}: the build has nothing to patch.");
        Assert.False(GlibcxxCompat.HasStrongRequirement(native!));
    }
}
