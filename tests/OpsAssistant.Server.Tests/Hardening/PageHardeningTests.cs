using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Playwright;

namespace OpsAssistant.Server.Tests.Hardening;

/// <summary>
/// The operator's page in headless Chromium: a trace whose every span is on the critical path still renders a bounded
/// number of rows, and the API key it asks for lives in session storage (gone with the tab), never in local storage.
/// </summary>
public sealed class PageHardeningTests
{
    private const int MaxRows = 1500;

    [Fact]
    public async Task Page_TraceWhoseEverySpanIsCritical_RendersAtMostTheRowCap()
    {
        using var host = new OpsAssistantHost();
        const string traceId = "c4a1c4a1c4a1c4a1c4a1c4a1c4a1c4a1";
        using (var client = host.CreateClient())
        using (var ingest = new StringContent(Chain(traceId, 4000), Encoding.UTF8, "application/json"))
        {
            (await client.PostAsync(new Uri("v1/traces", UriKind.Relative), ingest)).EnsureSuccessStatusCode();
        }

        await using var browser = await HeadlessChromium.LaunchAsync();
        var page = await browser.Browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1300, Height = 900 } });
        await page.GotoAsync(host.BaseAddress.ToString());
        await page.FillAsync("#input", traceId);
        await page.ClickAsync("#send");
        await page.Locator(".row").First.WaitForAsync(new LocatorWaitForOptions { Timeout = 60_000 });

        var rows = await page.Locator(".row").CountAsync();
        Assert.InRange(rows, 1, MaxRows);
        Assert.Contains("spans hidden", await page.InnerTextAsync("#waterfall"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Page_ApiKeyEnteredAtThePrompt_IsKeptInSessionStorageOnly()
    {
        const string key = "page-session-key-0123456789";
        using var host = new OpsAssistantHost(new() { ["OpsAssistant:Security:ApiKeys:0"] = key });
        await using var browser = await HeadlessChromium.LaunchAsync();
        var page = await browser.Browser.NewPageAsync();
        page.Dialog += async (_, dialog) => await dialog.AcceptAsync(key);

        await page.GotoAsync(host.BaseAddress.ToString());
        await page.WaitForFunctionAsync("() => sessionStorage.getItem('opsassistant.apiKey') !== null");

        Assert.Equal(key, await page.EvaluateAsync<string>("() => sessionStorage.getItem('opsassistant.apiKey')"));
        Assert.Equal(0, await page.EvaluateAsync<int>("() => localStorage.length"));
    }

    /// <summary>A chain of nested spans, each inside its parent: every span lies on the critical path.</summary>
    private static string Chain(string traceId, int count)
    {
        var spans = new JsonArray();
        for (var i = 0; i < count; i++)
        {
            var span = new JsonObject
            {
                ["traceId"] = traceId, ["spanId"] = (0x1000_0000_0000_0000L + i).ToString("x16", CultureInfo.InvariantCulture), ["name"] = "step " + i,
                ["startTimeUnixNano"] = (1_764_000_000_000_000_000L + (i * 1000L)).ToString(CultureInfo.InvariantCulture),
                ["endTimeUnixNano"] = (1_764_000_000_000_000_000L + 100_000_000L - (i * 1000L)).ToString(CultureInfo.InvariantCulture),
            };
            if (i > 0)
            {
                span["parentSpanId"] = (0x1000_0000_0000_0000L + i - 1).ToString("x16", CultureInfo.InvariantCulture);
            }

            spans.Add(span);
        }

        return new JsonObject
        {
            ["resourceSpans"] = new JsonArray(new JsonObject
            {
                ["resource"] = new JsonObject { ["attributes"] = new JsonArray(new JsonObject { ["key"] = "service.name", ["value"] = new JsonObject { ["stringValue"] = "deep" } }) },
                ["scopeSpans"] = new JsonArray(new JsonObject { ["spans"] = spans }),
            }),
        }.ToJsonString();
    }
}
