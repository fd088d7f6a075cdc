using PuppeteerSharp;

namespace NtkNotebooks.Site.Tests;

/// <summary>
/// A page opened with the network off: every request that is not a local file is refused and recorded, and console
/// errors and uncaught exceptions are collected.
/// </summary>
internal sealed class OfflinePage : IAsyncDisposable
{
    public IPage Page { get; }
    public List<string> Errors { get; } = [];
    public List<string> NetworkRequests { get; } = [];

    OfflinePage(IPage page) => Page = page;

    public static async Task<OfflinePage> OpenAsync(IBrowser browser, int width = 1100, int height = 900)
    {
        var page = await browser.NewPageAsync();
        var offline = new OfflinePage(page);
        await page.SetViewportAsync(new ViewPortOptions { Width = width, Height = height });
        await page.SetOfflineModeAsync(true);
        await page.SetRequestInterceptionAsync(true);
        page.Request += async (_, e) =>
        {
            var url = e.Request.Url;
            if (url.StartsWith("file:", StringComparison.Ordinal) || url.StartsWith("data:", StringComparison.Ordinal) || url == "about:blank")
                await e.Request.ContinueAsync();
            else
            {
                lock (offline.NetworkRequests) offline.NetworkRequests.Add(url);
                await e.Request.AbortAsync();
            }
        };
        page.Console += (_, e) =>
        {
            if (e.Message.Type == ConsoleType.Error) lock (offline.Errors) offline.Errors.Add($"console: {e.Message.Text}");
        };
        page.PageError += (_, e) => { lock (offline.Errors) offline.Errors.Add($"uncaught: {e.Message}"); };
        return offline;
    }

    /// <summary>What the page shows once its scripts ran: charts drawn, formulas typeset.</summary>
    public Task<Rendering> RenderingAsync() => Page.EvaluateFunctionAsync<Rendering>(Rendering.Script);

    /// <summary>Waits until every chart container holds a drawn plot (or the timeout passes), then reports.</summary>
    public async Task<Rendering> WaitForChartsAsync(TimeSpan timeout)
    {
        try
        {
            await Page.WaitForFunctionAsync(
                "() => Array.from(document.querySelectorAll('.ntk-chart')).every(c => c.querySelector('.main-svg'))",
                new WaitForFunctionOptions { Timeout = (int)timeout.TotalMilliseconds, PollingInterval = 100 });
        }
        catch (WaitTaskTimeoutException) { } // the assertions say what is missing
        return await RenderingAsync();
    }

    public async ValueTask DisposeAsync() => await Page.CloseAsync();
}
