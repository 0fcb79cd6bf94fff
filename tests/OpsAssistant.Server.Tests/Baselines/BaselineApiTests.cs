using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpsAssistant.Infrastructure.Baselines;

namespace OpsAssistant.Server.Tests.Baselines;

/// <summary>
/// Baselines end to end on the real host: spans ingested over OTLP/HTTP are sketched, flushed into the SQLite store,
/// served by <c>GET /api/baselines</c>, and used by <c>POST /api/analyses</c> to tell a regressed call from a slow-but-normal one.
/// </summary>
public sealed class BaselineApiTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 9, 0, 0, TimeSpan.Zero);
    private readonly MutableClock _clock = new(Now);
    private readonly OpsAssistantHost _host;
    private readonly HttpClient _client;

    public BaselineApiTests()
    {
        _host = new OpsAssistantHost(new() { ["OpsAssistant:Baselines:FlushInterval"] = "00:10:00" }, services => services.AddSingleton<TimeProvider>(_clock));
        _client = new HttpClient { BaseAddress = _host.BaseAddress };
    }

    public void Dispose()
    {
        _client.Dispose();
        _host.Dispose();
    }

    [Fact]
    public async Task GetBaselines_AfterIngest_ServesQuantilesPerOperationAndKind()
    {
        var ct = TestContext.Current.CancellationToken;
        for (var i = 0; i < 40; i++)
        {
            await IngestAsync(Report(i, cacheMs: 1 + i % 3 * 0.5), ct);
        }

        await FlushAsync(ct);
        using var response = await _client.GetAsync(new Uri("/api/baselines?service=reports&operation=MGET", UriKind.Relative), ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
        Assert.Equal("store", body.RootElement.GetProperty("source").GetString());
        var op = Assert.Single(body.RootElement.GetProperty("operations").EnumerateArray());
        Assert.Equal("client", op.GetProperty("kind").GetString());
        Assert.Equal(40, op.GetProperty("count").GetInt64());
        Assert.InRange(op.GetProperty("p50Ms").GetDouble(), 1.48, 1.52);
        Assert.InRange(op.GetProperty("p99Ms").GetDouble(), 1.98, 2.02);
        Assert.Equal(0, op.GetProperty("errorRate").GetDouble());
    }

    [Fact]
    public async Task GetBaselines_At_ServesTheWindowATraceStartingThenIsJudgedAgainst()
    {
        var ct = TestContext.Current.CancellationToken;
        for (var i = 0; i < 10; i++)
        {
            await IngestAsync(Report(i, cacheMs: 1), ct);
        }

        await FlushAsync(ct);
        // The history ran 08:50–08:51: a trace of 08:55 is judged against the hours before 08:00, a trace of now (09:00) against them and 08:00's.
        using var before = JsonDocument.Parse(await _client.GetStringAsync(new Uri("/api/baselines?service=reports&at=2026-11-25T08:55:00Z", UriKind.Relative), ct));
        using var now = JsonDocument.Parse(await _client.GetStringAsync(new Uri("/api/baselines?service=reports", UriKind.Relative), ct));

        Assert.Empty(before.RootElement.GetProperty("operations").EnumerateArray());
        Assert.Equal(new DateTimeOffset(2026, 11, 25, 8, 0, 0, TimeSpan.Zero), before.RootElement.GetProperty("to").GetDateTimeOffset());
        Assert.Equal(new DateTimeOffset(2026, 11, 24, 8, 0, 0, TimeSpan.Zero), before.RootElement.GetProperty("from").GetDateTimeOffset());
        Assert.Equal(3, now.RootElement.GetProperty("operations").GetArrayLength());
        Assert.Equal(Now, now.RootElement.GetProperty("to").GetDateTimeOffset());
    }

    [Fact]
    public async Task Analyze_WithStoredBaselines_NamesTheRegressedCallNotTheSlowButNormalQuery()
    {
        var ct = TestContext.Current.CancellationToken;
        for (var i = 0; i < 40; i++)
        {
            await IngestAsync(Report(i, cacheMs: 1), ct);
        }

        await FlushAsync(ct);
        _clock.Now = Now + TimeSpan.FromMinutes(5);
        await IngestAsync(Report(99, cacheMs: 300), ct);
        using var response = await _client.PostAsJsonAsync("/api/analyses", new { traceId = TraceId(99), source = "store" }, ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var result = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
        var top = result.RootElement.GetProperty("hypotheses")[0];
        Assert.Equal("MGET", top.GetProperty("operation").GetString());
        Assert.Equal("above-p99", top.GetProperty("baseline").GetProperty("verdict").GetString());
        Assert.Equal("store", top.GetProperty("baseline").GetProperty("source").GetString());
    }

    [Theory]
    [InlineData("/api/baselines", "service")]
    [InlineData("/api/baselines?service=", "service")]
    [InlineData("/api/baselines?service=reports&operation=", "operation")]
    [InlineData("/api/baselines?service=reports&at=yesterday", "at")]
    public async Task GetBaselines_BadQuery_ProblemNamesTheField(string url, string field)
    {
        using var response = await _client.GetAsync(new Uri(url, UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.True(problem.RootElement.GetProperty("errors").TryGetProperty(field, out _));
    }

    [Fact]
    public async Task OpenApi_ListsTheBaselinesRoute()
    {
        using var document = JsonDocument.Parse(await _client.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative), TestContext.Current.CancellationToken));
        Assert.True(document.RootElement.GetProperty("paths").TryGetProperty("/api/baselines", out var path));
        Assert.True(path.TryGetProperty("get", out _));
    }

    private async Task FlushAsync(CancellationToken ct) =>
        await _host.Services.GetServices<IHostedService>().OfType<BaselineFlushService>().Single().FlushOnceAsync(ct);

    private async Task IngestAsync(string json, CancellationToken ct)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await _client.PostAsync(new Uri("/v1/traces", UriKind.Relative), content, ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static string TraceId(int n) => (n + 1).ToString("x32", CultureInfo.InvariantCulture);

    /// <summary>A report request: a 2 s query (always that slow) and a cache read of <paramref name="cacheMs"/>.</summary>
    private static string Report(int n, double cacheMs)
    {
        // History in the hour before the clock's; the analysed trace (99) in the clock's hour, judged against the hours before.
        var at = n == 99 ? Now + TimeSpan.FromMinutes(2) : Now - TimeSpan.FromMinutes(10) + TimeSpan.FromSeconds(n * 5);
        var start = (at - DateTimeOffset.UnixEpoch).Ticks * 100;
        string Span(int id, int? parent, string name, int kind, double offsetMs, double ms) =>
            "{\"traceId\":\"" + TraceId(n) + "\",\"spanId\":\"" + id.ToString("x16", CultureInfo.InvariantCulture) + "\","
            + (parent is { } p ? "\"parentSpanId\":\"" + p.ToString("x16", CultureInfo.InvariantCulture) + "\"," : "")
            + "\"name\":\"" + name + "\",\"kind\":" + kind.ToString(CultureInfo.InvariantCulture)
            + ",\"startTimeUnixNano\":\"" + (start + (long)(offsetMs * 1e6)).ToString(CultureInfo.InvariantCulture)
            + "\",\"endTimeUnixNano\":\"" + (start + (long)((offsetMs + ms) * 1e6)).ToString(CultureInfo.InvariantCulture) + "\"}";
        return "{\"resourceSpans\":[{\"resource\":{\"attributes\":[{\"key\":\"service.name\",\"value\":{\"stringValue\":\"reports\"}}]},"
            + "\"scopeSpans\":[{\"spans\":[" + Span(1, null, "GET /report", 2, 0, 2100 + cacheMs) + "," + Span(2, 1, "SELECT report_rows", 3, 5, 2000) + ","
            + Span(3, 1, "MGET", 3, 2010, cacheMs) + "]}]}]}";
    }
}
