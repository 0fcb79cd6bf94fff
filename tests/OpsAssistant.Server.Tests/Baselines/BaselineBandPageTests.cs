using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Playwright;
using OpsAssistant.Infrastructure.Baselines;
using OpsAssistant.Tests;

namespace OpsAssistant.Server.Tests.Baselines;

/// <summary>
/// The waterfall's baseline band in real headless Chromium: spans ingested over OTLP/HTTP build baselines in the SQLite
/// store; opening a later trace draws each baselined row's p50–p99 band where that span would end at its p50 and p99,
/// marks the row far above its p99 and the operation never seen before, and renders an HTML span name as text.
/// </summary>
public sealed class BaselineBandPageTests : IAsyncLifetime
{
    private const string HtmlName = "<img src=x onerror=\"window.__pwned=1\">";
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 9, 0, 0, TimeSpan.Zero);
    private readonly MutableClock _clock = new(Now);
    private readonly OpsAssistantHost _host;
    private readonly HttpClient _client;
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public BaselineBandPageTests()
    {
        _host = new OpsAssistantHost(new() { ["OpsAssistant:Baselines:FlushInterval"] = "00:10:00" }, services => services.AddSingleton<TimeProvider>(_clock));
        _client = new HttpClient { BaseAddress = _host.BaseAddress };
    }

    public async ValueTask InitializeAsync()
    {
        var chromium = TestDependencies.ChromiumPath();
        _playwright = await Playwright.CreateAsync();
        _browser = await OperatorPageTests.LaunchAsync(_playwright, chromium);
    }

    public async ValueTask DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
        _client.Dispose();
        await _host.DisposeAsync();
    }

    [Fact]
    public async Task Waterfall_TraceWithBaselines_DrawsTheBandAtP50ToP99AndMarksOutliersAndNewOperations()
    {
        var ct = TestContext.Current.CancellationToken;
        for (var i = 0; i < 40; i++)
        {
            await IngestAsync(Report(i, queryMs: 400 + (i * 30), cacheMs: 1, extra: false), ct);
        }

        await _host.Services.GetServices<IHostedService>().OfType<BaselineFlushService>().Single().FlushOnceAsync(ct);
        _clock.Now = Now + TimeSpan.FromMinutes(5);
        await IngestAsync(Report(99, queryMs: 900, cacheMs: 300, extra: true), ct);
        var query = await BaselineAsync("SELECT report_rows", ct);

        var page = await _browser!.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1300, Height = 900 } });
        await page.GotoAsync(new Uri(_host.BaseAddress, $"?traceId={TraceId(99)}").ToString());
        var queryRow = page.Locator($".row[data-span='{SpanId(2)}']");
        await queryRow.Locator(".band").WaitForAsync();

        // Where the span would end at its p50 and its p99, on the row's scale: the root's 2,400 ms fill the lane.
        var lane = (await queryRow.Locator(".lane").BoundingBoxAsync())!;
        var band = (await queryRow.Locator(".band").BoundingBoxAsync())!;
        Assert.Equal(lane.X + (lane.Width * (5 + query.P50) / 2400), band.X, 1.5);
        Assert.Equal(lane.Width * (query.P99 - query.P50) / 2400, band.Width, 1.5);
        var tip = await queryRow.Locator(".band").GetAttributeAsync("title");
        Assert.Matches(@"^p50 \d+(\.\d+)? ms · p99 \d+(\.\d+)? s?m?s · n = 40 over 24 h$", tip);

        var cacheRow = page.Locator($".row[data-span='{SpanId(3)}']");
        Assert.Contains("above-p99", await cacheRow.GetAttributeAsync("class"), StringComparison.Ordinal);
        Assert.Equal(1, await cacheRow.Locator(".band").CountAsync());
        Assert.DoesNotContain("above-p99", await queryRow.GetAttributeAsync("class"), StringComparison.Ordinal);

        var newRow = page.Locator($".row[data-span='{SpanId(4)}']");
        Assert.Contains("new-op", await newRow.GetAttributeAsync("class"), StringComparison.Ordinal);
        Assert.Equal(0, await newRow.Locator(".band").CountAsync());
        Assert.Equal(HtmlName, await newRow.Locator(".op").InnerTextAsync());
        Assert.Equal(0, await page.Locator(".waterfall img").CountAsync());
        Assert.Null(await page.EvaluateAsync<int?>("() => window.__pwned ?? null"));

        var unknownService = page.Locator($".row[data-span='{SpanId(5)}']");
        Assert.Equal(0, await unknownService.Locator(".band").CountAsync());
        Assert.DoesNotContain("new-op", await unknownService.GetAttributeAsync("class"), StringComparison.Ordinal);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(OperatorPageTests.ArtifactDirectory, "page-baseline-band.png"), FullPage = true });
    }

    private async Task<(double P50, double P99)> BaselineAsync(string operation, CancellationToken ct)
    {
        using var body = JsonDocument.Parse(await _client.GetStringAsync(new Uri($"/api/baselines?service=reports&operation={Uri.EscapeDataString(operation)}", UriKind.Relative), ct));
        var op = Assert.Single(body.RootElement.GetProperty("operations").EnumerateArray());
        return (op.GetProperty("p50Ms").GetDouble(), op.GetProperty("p99Ms").GetDouble());
    }

    private async Task IngestAsync(string json, CancellationToken ct)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await _client.PostAsync(new Uri("/v1/traces", UriKind.Relative), content, ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static string TraceId(int n) => (n + 1).ToString("x32", CultureInfo.InvariantCulture);

    private static string SpanId(int id) => id.ToString("x16", CultureInfo.InvariantCulture);

    /// <summary>
    /// A 2,400 ms report request: a query of <paramref name="queryMs"/>, a cache read of <paramref name="cacheMs"/>, and with
    /// <paramref name="extra"/> an operation named with HTML that <c>reports</c> never ran and a call into a service without baselines.
    /// </summary>
    private static string Report(int n, double queryMs, double cacheMs, bool extra)
    {
        // History in the hour before the clock's; the analysed trace (99) in the clock's hour, judged against the hours before.
        var at = n == 99 ? Now + TimeSpan.FromMinutes(2) : Now - TimeSpan.FromMinutes(10) + TimeSpan.FromSeconds(n * 5);
        var start = (at - DateTimeOffset.UnixEpoch).Ticks * 100;
        string Span(int id, int? parent, string name, int kind, double offsetMs, double ms) =>
            "{\"traceId\":\"" + TraceId(n) + "\",\"spanId\":\"" + SpanId(id) + "\","
            + (parent is { } p ? "\"parentSpanId\":\"" + SpanId(p) + "\"," : "")
            + "\"name\":" + JsonSerializer.Serialize(name) + ",\"kind\":" + kind.ToString(CultureInfo.InvariantCulture)
            + ",\"startTimeUnixNano\":\"" + (start + (long)(offsetMs * 1e6)).ToString(CultureInfo.InvariantCulture)
            + "\",\"endTimeUnixNano\":\"" + (start + (long)((offsetMs + ms) * 1e6)).ToString(CultureInfo.InvariantCulture) + "\"}";
        string Resource(string service, string spans) =>
            "{\"resource\":{\"attributes\":[{\"key\":\"service.name\",\"value\":{\"stringValue\":\"" + service + "\"}}]},\"scopeSpans\":[{\"spans\":[" + spans + "]}]}";
        var reports = Span(1, null, "GET /report", 2, 0, 2400) + "," + Span(2, 1, "SELECT report_rows", 3, 5, queryMs) + ","
            + Span(3, 1, "MGET", 3, 2010, cacheMs) + (extra ? "," + Span(4, 1, HtmlName, 1, 2320, 20) : "");
        return "{\"resourceSpans\":[" + Resource("reports", reports) + (extra ? "," + Resource("ledger", Span(5, 1, "POST /entries", 2, 2345, 40)) : "") + "]}";
    }
}
