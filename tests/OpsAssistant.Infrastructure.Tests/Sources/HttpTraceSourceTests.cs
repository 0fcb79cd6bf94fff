using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpsAssistant.Core.Sources;
using OpsAssistant.Infrastructure.Sources;

namespace OpsAssistant.Infrastructure.Tests.Sources;

/// <summary>
/// Each HTTP backend source against a local Kestrel serving real payloads from the Jaeger, OpenTelemetry and Zipkin
/// projects, wired exactly as the service wires it (typed HttpClient + standard resilience handler).
/// </summary>
public sealed class HttpTraceSourceTests : IAsyncLifetime
{
    private BackendStub _backend = null!;

    public static TheoryData<string> Backends => ["jaeger-v1", "jaeger-v3", "tempo", "zipkin"];

    public async ValueTask InitializeAsync() => _backend = await BackendStub.StartAsync();

    public async ValueTask DisposeAsync() => await _backend.DisposeAsync();

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task GetTrace_BackendHasTrace_ReturnsItsSpans(string backend)
    {
        var (source, path, traceId, body, spans) = Arrange(backend);
        _backend.Answer(path, 200, body);

        var trace = await source.GetTraceAsync(traceId);

        Assert.NotNull(trace);
        Assert.Equal(spans, trace.Spans.Count);
        Assert.True(Core.Model.TraceIds.SameTrace(traceId, trace.TraceId));
        Assert.Contains(_backend.Requests, r => r.Path == path && (r.Accept ?? "").Contains("application/json", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task GetTrace_BackendAnswers404_ReturnsNull(string backend)
    {
        var (source, _, _, _, _) = Arrange(backend);

        Assert.Null(await source.GetTraceAsync("0123456789abcdef0123456789abcdef"));
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task GetTrace_BackendAnswersHtml_ThrowsTraceSourceExceptionSayingSo(string backend)
    {
        var (source, path, traceId, _, _) = Arrange(backend);
        _backend.Answer(path, 200, "<!doctype html><html><body>Sign in</body></html>", "text/html");

        var error = await Assert.ThrowsAsync<TraceSourceException>(() => source.GetTraceAsync(traceId));

        Assert.Contains("not JSON", error.Message, StringComparison.Ordinal);
        Assert.Contains("OpsAssistant:TraceSource:Url", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetTrace_HtmlServedAsJson_ThrowsTraceSourceException()
    {
        var (source, path, traceId, _, _) = Arrange("tempo");
        _backend.Answer(path, 200, "<html>proxy error</html>", "application/json");

        await Assert.ThrowsAsync<TraceSourceException>(() => source.GetTraceAsync(traceId));
    }

    [Fact]
    public async Task GetTrace_GarbageJson_ThrowsTraceSourceExceptionNamingTheSource()
    {
        var (source, path, traceId, _, _) = Arrange("zipkin");
        _backend.Answer(path, 200, """{"hello": "world"}""");

        var error = await Assert.ThrowsAsync<TraceSourceException>(() => source.GetTraceAsync(traceId));

        Assert.Equal("zipkin", error.SourceName);
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task GetTrace_503ThenOk_IsRetriedByTheResilienceHandler(string backend)
    {
        var (source, path, traceId, body, spans) = Arrange(backend);
        _backend.Answer(path, 503, "busy", "text/plain");
        _backend.Answer(path, 200, body);

        var trace = await source.GetTraceAsync(traceId);

        Assert.Equal(spans, trace!.Spans.Count);
        Assert.Equal(2, _backend.Requests.Count(r => r.Path == path));
    }

    [Fact]
    public async Task GetTrace_PersistentServerError_ThrowsWithStatusAfterRetries()
    {
        var (source, path, traceId, _, _) = Arrange("jaeger-v1");
        _backend.Answer(path, 500, "storage backend down", "text/plain");

        var error = await Assert.ThrowsAsync<TraceSourceException>(() => source.GetTraceAsync(traceId));

        Assert.Contains("HTTP 500", error.Message, StringComparison.Ordinal);
        Assert.Contains("storage backend down", error.Message, StringComparison.Ordinal);
        Assert.Equal(3, _backend.Requests.Count(r => r.Path == path));
    }

    private (ITraceSource Source, string Path, string TraceId, string Body, int Spans) Arrange(string backend)
    {
        var (kind, api, path, traceId, body) = backend switch
        {
            // The v1 API wraps the trace in {"data":[...]}; the fixture is the bare trace the UI downloads.
            "jaeger-v1" => ("Jaeger", "V1", "/api/traces/0000000000000001", "0000000000000001",
                "{\"data\":[" + Fixture("jaeger-v1-ui_01.json") + "],\"errors\":null}"),
            "jaeger-v3" => ("Jaeger", "V3", "/api/v3/traces/00000000000000000000000000000001", "00000000000000000000000000000001",
                Fixture("jaeger-v3-apiv3_snapshot_GetTrace.json")),
            "tempo" => ("Tempo", "V1", "/api/traces/5b8efff798038103d269b633813fc60c", "5b8efff798038103d269b633813fc60c",
                Fixture("otlp-otel-proto_examples_trace.json")),
            _ => ("Zipkin", "V1", "/api/v2/trace/978883983d506fa5", "978883983d506fa5", Fixture("zipkin-envoy.json")),
        };

        // The expected spans are what the format reader makes of the same bytes: these tests are about transport.
        var spans = Core.Formats.TraceReader.Read(System.Text.Encoding.UTF8.GetBytes(body)).Traces
            .Single(t => Core.Model.TraceIds.SameTrace(t.TraceId, traceId)).Spans.Count;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["OpsAssistant:TraceSource:Kind"] = kind,
            ["OpsAssistant:TraceSource:Url"] = _backend.BaseAddress.ToString(),
            ["OpsAssistant:TraceSource:JaegerApi"] = api,
            ["OpsAssistant:TraceSource:RetryDelay"] = "00:00:00.050",
            ["OpsAssistant:TraceSource:MaxRetries"] = "2",
            ["OpsAssistant:Storage:ConnectionString"] = "Data Source=:memory:",
        }).Build();
        var services = new ServiceCollection().AddOpsAssistantTraceSources(configuration).BuildServiceProvider();
        return (services.GetRequiredService<ITraceSource>(), path, traceId, body, spans);
    }

    private static string Fixture(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "traces", name));
}
