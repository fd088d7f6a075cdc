namespace NtkNotebooks.Benchmarks.Peer;

/// <summary>
/// Makes sure Debian's PyTorch 1.13 (with functorch), NumPy, SciPy and the threaded OpenBLAS are installed for
/// <see cref="Python"/> (the system interpreter: the python3 first on PATH may be another build without them),
/// installing them with apt-get when they are missing.
/// </summary>
public static class PeerInstaller
{
    /// <summary>The interpreter the peer runs with.</summary>
    public const string Python = "/usr/bin/python3";

    static readonly string[] Packages = ["python3-torch", "python3-numpy", "python3-scipy", "libopenblas0-pthread"];

    /// <summary>True when the peer can run (installing it if needed); otherwise false and the reason.</summary>
    public static (bool Available, string Detail) Ensure(TextWriter log)
    {
        if (IsInstalled()) return (true, "already installed");
        log.WriteLine($"Installing the Python peer: apt-get install -y {string.Join(' ', Packages)}");
        var environment = new Dictionary<string, string> { ["DEBIAN_FRONTEND"] = "noninteractive" };
        if (ProcessRunner.Run("apt-get", ["install", "-y", .. Packages], log, environment, quiet: true) != 0)
        {
            log.WriteLine("apt-get install failed; refreshing the package lists (apt-get update) and retrying.");
            ProcessRunner.Run("apt-get", ["update"], log, environment, quiet: true);
            ProcessRunner.Run("apt-get", ["install", "-y", .. Packages], log, environment, quiet: true);
        }
        return IsInstalled()
            ? (true, "installed now")
            : (false, $"could not install {string.Join(", ", Packages)} with apt-get (needs root and the Debian package feed)");
    }

    static bool IsInstalled() =>
        File.Exists(Python)
        && ProcessRunner.Run(Python, ["-c", "import torch, functorch, numpy, scipy"], TextWriter.Null, quiet: true) == 0
        && ProcessRunner.Capture("dpkg-query", ["-W", "-f=${db:Status-Abbrev}", "libopenblas0-pthread"]).Output.StartsWith("ii", StringComparison.Ordinal);
}
