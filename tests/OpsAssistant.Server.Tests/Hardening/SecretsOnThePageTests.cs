using System.Text;
using Microsoft.Playwright;

namespace OpsAssistant.Server.Tests.Hardening;

/// <summary>
/// The operator's page in headless Chromium, opened on a trace holding twelve kinds of secret: after the analysis, the
/// waterfall and the detail of every span, no secret is anywhere in the DOM.
/// </summary>
public sealed class SecretsOnThePageTests
{
    [Fact]
    public async Task Page_TraceWithTwelveSecretKinds_ShowsNoneInTheDomAfterEveryRowIsOpened()
    {
        using var host = new OpsAssistantHost();
        using (var client = host.CreateClient())
        using (var ingest = new StringContent(PlantedSecrets.Trace(), Encoding.UTF8, "application/json"))
        {
            (await client.PostAsync(new Uri("v1/traces", UriKind.Relative), ingest)).EnsureSuccessStatusCode();
        }

        await using var browser = await HeadlessChromium.LaunchAsync();
        var page = await browser.Browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1300, Height = 900 } });
        await page.GotoAsync(host.BaseAddress.ToString());
        await page.FillAsync("#input", PlantedSecrets.TraceId);
        await page.ClickAsync("#send");
        await page.Locator(".hyp").First.WaitForAsync();
        await page.Locator(".row").First.WaitForAsync();

        var rows = page.Locator(".row");
        Assert.Equal(PlantedSecrets.Kinds.Length + 1, await rows.CountAsync());
        var seen = new StringBuilder();
        for (var i = 0; i < await rows.CountAsync(); i++)
        {
            await rows.Nth(i).ClickAsync();
            seen.Append(await page.InnerTextAsync("#span-detail")).Append('\n');
        }

        seen.Append(await page.ContentAsync()).Append('\n').Append(await page.InnerTextAsync("body"));
        Assert.Contains("[REDACTED]", seen.ToString(), StringComparison.Ordinal);
        PlantedSecrets.AssertNone("the page's DOM", seen.ToString());
    }
}
