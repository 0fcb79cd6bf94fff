using Microsoft.Playwright;

namespace OpsAssistant.Server.Tests.Hardening;

/// <summary>Debian's Chromium, headless, through Playwright; disposing closes the browser and Playwright.</summary>
internal sealed class HeadlessChromium(IPlaywright playwright, IBrowser browser) : IAsyncDisposable
{
    public IBrowser Browser { get; } = browser;

    public static async Task<HeadlessChromium> LaunchAsync()
    {
        var chromium = Environment.GetEnvironmentVariable("OPSASSISTANT_CHROMIUM") ?? "/usr/bin/chromium";
        if (!File.Exists(chromium))
        {
            throw new InvalidOperationException($"Chromium not found at {chromium}: install Debian's chromium package (bash .ci/run does) or set OPSASSISTANT_CHROMIUM.");
        }

        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
        return new HeadlessChromium(playwright, browser);
    }

    public async ValueTask DisposeAsync()
    {
        await Browser.DisposeAsync();
        playwright.Dispose();
    }
}
