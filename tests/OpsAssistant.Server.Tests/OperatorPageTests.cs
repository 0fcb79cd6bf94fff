using Microsoft.Playwright;
using OpsAssistant.Tests;

namespace OpsAssistant.Server.Tests;

/// <summary>
/// The operator's page in real headless Chromium (Debian's, via Playwright's executable path): load it on a seeded host,
/// analyse a sample trace, see the ranked hypotheses and the waterfall with the suspect span highlighted, chat, and check
/// the phone layout. Screenshots land in the test output folder as artifacts.
/// </summary>
public sealed class OperatorPageTests : IAsyncLifetime
{
    private const string SiblingTrace = "7c4f1a90b3e84d2f9a6c5e8017b3d264";
    private readonly OpsAssistantHost _host = new(new() { ["OpsAssistant:SeedSamples"] = "true" });
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public static string ArtifactDirectory => Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "artifacts")).FullName;

    public async ValueTask InitializeAsync()
    {
        var chromium = TestDependencies.ChromiumPath();

        _playwright = await Playwright.CreateAsync();
        _browser = await LaunchAsync(_playwright, chromium);
    }

    /// <summary>Debian's headless Chromium, quiet: no sandbox (root in CI), no GPU, no calls home.</summary>
    internal static Task<IBrowser> LaunchAsync(IPlaywright playwright, string chromium) =>
        playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });

    public async ValueTask DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
        await _host.DisposeAsync();
    }

    [Fact]
    public async Task Page_AnalysingASeededTrace_ShowsHypothesesAndHighlightsTheSuspectInTheWaterfall()
    {
        var page = await _browser!.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1300, Height = 900 } });
        await page.GotoAsync(_host.BaseAddress.ToString());
        await page.Locator($".chip[data-trace-id='{SiblingTrace}']").WaitForAsync();

        await page.FillAsync("#input", SiblingTrace);
        await page.ClickAsync("#send");

        var card = page.Locator(".hyp").First;
        await card.WaitForAsync();
        Assert.Contains("payment / oteldemo.PaymentService/Charge", await card.Locator(".where").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains("Remediation", await card.Locator(".fix").EvaluateAsync<string>("e => getComputedStyle(e, '::before').content"), StringComparison.Ordinal);

        var suspect = page.Locator(".row.suspect[data-span='d4e5f60718293a4b']");
        await suspect.WaitForAsync();
        Assert.Equal(6, await page.Locator(".row").CountAsync());
        Assert.True(await page.Locator(".row.critical").CountAsync() >= 1);

        await card.ClickAsync();
        await page.Locator(".row.focus[data-span='d4e5f60718293a4b']").WaitForAsync();
        Assert.Contains("oteldemo.PaymentService/Charge", await page.InnerTextAsync("#span-detail"), StringComparison.Ordinal);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ArtifactDirectory, "page-analysis.png"), FullPage = true });

        await page.FillAsync("#input", "what errors happened recently?");
        await page.ClickAsync("#send");
        await page.Locator(".msg.assistant", new PageLocatorOptions { HasTextString = "No LLM is configured" }).WaitForAsync();
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ArtifactDirectory, "page-chat.png"), FullPage = true });
    }

    [Fact]
    public async Task Page_SamplingPanel_ListsActiveOverridesRefreshesAfterAChatCommandAndUndoEndsOne()
    {
        using var client = new HttpClient { BaseAddress = _host.BaseAddress };
        using (var created = await client.PostAsync("/api/sampling/overrides",
            new StringContent("""{"service":"checkout","rate":1,"ttl":"30m","reason":"INC-1"}""", System.Text.Encoding.UTF8, "application/json")))
        {
            created.EnsureSuccessStatusCode();
        }

        var page = await _browser!.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1300, Height = 900 } });
        await page.GotoAsync(_host.BaseAddress.ToString());
        var checkout = page.Locator(".override", new PageLocatorOptions { HasTextString = "checkout" });
        await checkout.WaitForAsync();
        Assert.Contains("100%", await checkout.InnerTextAsync(), StringComparison.Ordinal);

        await page.FillAsync("#input", "sample payment fully for 20 minutes");
        await page.ClickAsync("#send");
        await page.Locator(".override", new PageLocatorOptions { HasTextString = "payment" }).WaitForAsync();
        Assert.Equal("2", await page.InnerTextAsync("#sampling-count"));
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ArtifactDirectory, "page-sampling.png"), FullPage = true });

        await checkout.Locator("button.undo").ClickAsync();
        await checkout.WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Detached });
        Assert.Equal("1", await page.InnerTextAsync("#sampling-count"));
        var audit = await client.GetStringAsync("/api/sampling/overrides");
        Assert.Contains("\"endedBy\":\"operator (no API key)\"", audit, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Page_AtPhoneWidth_StacksChatAboveTheWaterfallWithoutHorizontalScroll()
    {
        var page = await _browser!.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 390, Height = 844 }, IsMobile = true, HasTouch = true });
        await page.GotoAsync(_host.BaseAddress.ToString());
        await page.FillAsync("#input", SiblingTrace);
        await page.ClickAsync("#send");
        await page.Locator(".row.suspect").First.WaitForAsync();

        var chat = await page.Locator(".chat").BoundingBoxAsync();
        var trace = await page.Locator(".trace").BoundingBoxAsync();
        Assert.True(trace!.Y >= chat!.Y + chat.Height - 1, "the waterfall sits below the chat on a phone");
        var overflow = await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth > window.innerWidth + 1");
        Assert.False(overflow);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ArtifactDirectory, "page-phone.png"), FullPage = true });
    }

    [Theory]
    [InlineData("?traceId=" + SiblingTrace)]
    [InlineData("traces/" + SiblingTrace)]
    [InlineData("traces/" + "7C4F1A90B3E84D2F9A6C5E8017B3D264")]
    public async Task Page_DeepLinkToATrace_AnalysesItAtOnce(string link)
    {
        var page = await _browser!.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1300, Height = 900 } });

        await page.GotoAsync(new Uri(_host.BaseAddress, link).ToString());

        Assert.Equal($"?traceId={SiblingTrace}", new Uri(page.Url).Query);
        var card = page.Locator(".hyp").First;
        await card.WaitForAsync();
        Assert.Contains("payment / oteldemo.PaymentService/Charge", await card.Locator(".where").InnerTextAsync(), StringComparison.Ordinal);
        await page.Locator(".row.suspect[data-span='d4e5f60718293a4b']").WaitForAsync();
        Assert.Contains(SiblingTrace, await page.InnerTextAsync(".msg.user"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Page_DeepLinkWithAMalformedTraceId_SaysSoWithoutAnalysing()
    {
        var page = await _browser!.NewPageAsync();

        await page.GotoAsync(new Uri(_host.BaseAddress, "?traceId=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E").ToString());

        var error = page.Locator(".msg.assistant.error");
        await error.WaitForAsync();
        Assert.Contains("<img src=x onerror=alert(1)>", await error.InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal(0, await page.Locator(".msg.assistant.error img").CountAsync());
        Assert.Equal(0, await page.Locator(".msg.user").CountAsync());
    }

    [Fact]
    public async Task Page_LinkToAStoredAnalysis_ShowsItWithoutAnalysingAgain()
    {
        using var client = _host.CreateClient();
        using var created = await client.PostAsync("/api/analyses", new StringContent($"{{\"traceId\":\"{SiblingTrace}\"}}", System.Text.Encoding.UTF8, "application/json"));
        using var result = System.Text.Json.JsonDocument.Parse(await created.Content.ReadAsStringAsync());
        var analysisId = result.RootElement.GetProperty("analysisId").GetString()!;
        var page = await _browser!.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1300, Height = 900 } });
        var chats = 0;
        page.Request += (_, request) => chats += request.Url.Contains("/api/chat", StringComparison.Ordinal) ? 1 : 0;

        await page.GotoAsync(new Uri(_host.BaseAddress, $"?analysisId={analysisId}").ToString());

        await page.Locator(".hyp").First.WaitForAsync();
        await page.Locator(".row.suspect[data-span='d4e5f60718293a4b']").WaitForAsync();
        Assert.Contains(analysisId, await page.InnerTextAsync(".msg.assistant .meta"), StringComparison.Ordinal);
        Assert.Equal(0, chats);
    }
}
