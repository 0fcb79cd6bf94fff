using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using OpsAssistant.Core.Formats;

namespace OpsAssistant.Server.Tests;

/// <summary>
/// Alerts drive sampling end to end: the real OpenTelemetry .NET SDK, sampling with a Jaeger remote sampler that reads the
/// host's <c>/api/sampling</c>, exports over OTLP http/protobuf to the same host, and the stored spans show the rate.
/// </summary>
public sealed class IncidentSamplingTests : IDisposable
{
    private const string SiblingTrace = "7c4f1a90b3e84d2f9a6c5e8017b3d264";
    private static readonly DateTimeOffset Start = new(2026, 11, 25, 9, 0, 0, TimeSpan.Zero);
    private readonly MutableClock _clock = new(Start);
    private readonly OpsAssistantHost _host;
    private readonly HttpClient _client;

    public IncidentSamplingTests()
    {
        _host = new OpsAssistantHost(new()
        {
            ["OpsAssistant:Sampling:Services:checkout:Operations:GET /health"] = "0",
            ["OpsAssistant:Webhooks:PollInterval"] = "00:00:00.200",
            ["OpsAssistant:Webhooks:RetryDelay"] = "00:00:00.050",
            ["OpsAssistant:Webhooks:MaxAttempts"] = "2",
        }, services => services.AddSingleton<TimeProvider>(_clock));
        _client = new HttpClient { BaseAddress = _host.BaseAddress };
    }

    public void Dispose()
    {
        _client.Dispose();
        _host.Dispose();
    }

    [Fact]
    public async Task JaegerRemoteSampler_SamplesOnePercentInRoutineEverythingWhileTheAlertFiresAndOnePercentAfterItResolves()
    {
        var sourceName = "OpsAssistant.Tests.Sampling." + Guid.NewGuid().ToString("N");
        using var source = new ActivitySource(sourceName);
        using var sampler = new JaegerRemoteTestSampler(_client, new Uri(_host.BaseAddress, "api/sampling"), "checkout", initialRate: 1.0);
        await sampler.RefreshAsync();
        Assert.Equal(0.01, sampler.DefaultRate);

        using var provider = Sdk.CreateTracerProviderBuilder()
            .AddSource(sourceName)
            .SetSampler(new ParentBasedSampler(sampler))
            .ConfigureResource(r => r.AddService("checkout"))
            .AddOtlpExporter(o =>
            {
                o.Endpoint = new Uri(_host.BaseAddress, "v1/traces");
                o.Protocol = OtlpExportProtocol.HttpProtobuf;
                o.BatchExportProcessorOptions.MaxQueueSize = 4096;
            })
            .Build();

        Emit(source, provider, "before alert", 2000);
        Emit(source, provider, "GET /health", 500);
        using (var firing = await PostAlertAsync(Alert("firing", """ "service":"checkout" """)))
        {
            Assert.Equal(HttpStatusCode.Accepted, firing.StatusCode);
        }

        await sampler.RefreshAsync();
        Emit(source, provider, "during alert", 300);
        Emit(source, provider, "GET /health during alert", 50);
        using (var resolved = await PostAlertAsync(Alert("resolved", """ "service":"checkout" """)))
        {
            Assert.Equal(HttpStatusCode.Accepted, resolved.StatusCode);
        }

        await sampler.RefreshAsync();
        Emit(source, provider, "after alert", 2000);

        var before = await StoredAsync("before alert");
        Assert.InRange(before, 1, 99);
        Assert.Equal(0, await StoredAsync("GET /health"));
        Assert.Equal(300, await StoredAsync("during alert"));
        Assert.Equal(50, await StoredAsync("GET /health during alert"));
        Assert.InRange(await StoredAsync("after alert"), 1, 99);
    }

    [Fact]
    public async Task FiringAlert_NamingAService_RaisesItOnceAcrossRedeliveriesAndItsResolutionEndsIt()
    {
        using (await PostAlertAsync(Alert("firing", """ "job":"payment" """)))
        using (await PostAlertAsync(Alert("firing", """ "job":"payment" """)))
        {
            Assert.Equal(1.0, await SamplingApiTests.RateAsync(_client, "payment"));
        }

        var raised = Assert.Single((await _client.GetFromJsonAsync<JsonElement>("/api/sampling/overrides?active=true")).EnumerateArray());
        Assert.Equal("alert 0f1e2d3c4b5a6978", raised.GetProperty("createdBy").GetString());
        Assert.Equal(Start.AddHours(1), raised.GetProperty("expiresAt").GetDateTimeOffset());

        using (await PostAlertAsync(Alert("resolved", """ "job":"payment" """)))
        {
            Assert.Equal(0.01, await SamplingApiTests.RateAsync(_client, "payment"));
        }

        var ended = Assert.Single((await _client.GetFromJsonAsync<JsonElement>("/api/sampling/overrides")).EnumerateArray());
        Assert.Equal("alert 0f1e2d3c4b5a6978 resolved", ended.GetProperty("endedBy").GetString());
    }

    [Fact]
    public async Task FiringAlert_NeverResolved_LapsesAfterTheIncidentTtl()
    {
        using (await PostAlertAsync(Alert("firing", """ "service":"cart" """)))
        {
            Assert.Equal(1.0, await SamplingApiTests.RateAsync(_client, "cart"));
        }

        _clock.Now = Start.AddHours(1);

        Assert.Equal(0.01, await SamplingApiTests.RateAsync(_client, "cart"));
    }

    [Fact]
    public async Task FiringAlert_WithATraceButNoServiceLabel_RaisesTheServiceItsAnalysisBlames()
    {
        var trace = (await TraceReader.ReadFileAsync(Path.Combine(AppContext.BaseDirectory, "Fixtures", "sibling_errors.json"))).Traces[0];
        using (var content = new ByteArrayContent(OtlpJsonWriter.ToUtf8Bytes(trace.Spans)))
        {
            content.Headers.ContentType = new("application/json");
            using var ingest = await _client.PostAsync("/v1/traces", content);
            ingest.EnsureSuccessStatusCode();
        }

        using var response = await PostAlertAsync(Alert("firing", $$""" "trace_id":"{{SiblingTrace}}" """));
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("analyses")[0].GetProperty("id").GetString();

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (await SamplingApiTests.RateAsync(_client, "payment") < 1.0)
        {
            Assert.True(DateTime.UtcNow < deadline, $"payment was not raised after analysis {id}.");
            await Task.Delay(100);
        }

        var raised = Assert.Single((await _client.GetFromJsonAsync<JsonElement>("/api/sampling/overrides?active=true")).EnumerateArray());
        Assert.Equal("alert 0f1e2d3c4b5a6978", raised.GetProperty("createdBy").GetString());
        Assert.Contains(id!, raised.GetProperty("reason").GetString(), StringComparison.Ordinal);

        using (await PostAlertAsync(Alert("resolved", $$""" "trace_id":"{{SiblingTrace}}" """)))
        {
            Assert.Equal(0.01, await SamplingApiTests.RateAsync(_client, "payment"));
        }
    }

    /// <summary>Starts root spans (the sampler decides before each exists) and flushes what was sampled to the host.</summary>
    private static void Emit(ActivitySource source, TracerProvider provider, string operation, int count)
    {
        for (var i = 0; i < count; i++)
        {
            using var activity = source.StartActivity(operation, ActivityKind.Server);
        }

        Assert.True(provider.ForceFlush(30_000));
    }

    private async Task<int> StoredAsync(string operation) =>
        (await _client.GetFromJsonAsync<JsonElement>($"/api/traces?service=checkout&operation={Uri.EscapeDataString(operation)}&limit=1000")).GetArrayLength();

    private static string Alert(string status, string labels) => $$"""
        {"version":"4","status":"{{status}}","receiver":"opsassistant","groupLabels":{},"commonLabels":{},"commonAnnotations":{},
         "alerts":[{"status":"{{status}}","labels":{"alertname":"HighErrorRate",{{labels}}},"annotations":{},
                    "startsAt":"2026-11-25T08:55:00Z","endsAt":"0001-01-01T00:00:00Z","fingerprint":"0f1e2d3c4b5a6978"}]}
        """;

    private Task<HttpResponseMessage> PostAlertAsync(string body) =>
        _client.PostAsync("/webhooks/alertmanager", new StringContent(body, Encoding.UTF8, "application/json"));
}
