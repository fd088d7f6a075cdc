using PuppeteerSharp;

namespace NtkNotebooks.Site.Tests;

/// <summary>The machine's Chromium, driven by PuppeteerSharp (which never downloads a browser here).</summary>
internal static class Chromium
{
    /// <summary>The executable: $CHROMIUM_PATH, else Debian's or Ubuntu's package, else Google Chrome; null if none.</summary>
    public static string? Executable { get; } = new[]
    {
        Environment.GetEnvironmentVariable("CHROMIUM_PATH"), "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome",
    }.FirstOrDefault(p => !string.IsNullOrEmpty(p) && File.Exists(p));

    public const string NotInstalled =
        "Chromium is not installed (looked for $CHROMIUM_PATH, /usr/bin/chromium, /usr/bin/chromium-browser, /usr/bin/google-chrome). " +
        "CI installs it (.ci/run: apt-get install chromium); on your machine, install it to run the browser checks.";

    /// <summary>A headless browser with a fresh profile, no sandbox (containers), and no background network.</summary>
    public static Task<IBrowser> LaunchAsync(string profileDirectory)
    {
        if (Directory.Exists(profileDirectory)) Directory.Delete(profileDirectory, recursive: true);
        return Puppeteer.LaunchAsync(new LaunchOptions
        {
            ExecutablePath = Executable ?? throw new InvalidOperationException(NotInstalled),
            Headless = true,
            UserDataDir = profileDirectory,
            Timeout = 60_000,
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync",
            ],
        });
    }
}
