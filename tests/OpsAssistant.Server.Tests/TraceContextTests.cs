using System.Diagnostics;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;
using OpsAssistant.Core.Formats;

namespace OpsAssistant.Server.Tests;

/// <summary>An incoming W3C traceparent is continued: the request, analysis and chat-turn spans join the caller's trace.</summary>
[Collection(TelemetryTests.Name)]
public sealed class TraceContextTests : IDisposable
{
    private const string CallerTrace = "4bf92f3577b34da6a3ce929d0e0e4736";
    private const string CallerSpan = "00f067aa0ba902b7";
    private readonly List<Activity> _spans = [];
    private readonly OpsAssistantHost _host;
    private readonly HttpClient _client;

    public TraceContextTests()
    {
        _host = new OpsAssistantHost(services: s => s.ConfigureOpenTelemetryTracerProvider(t => t.AddInMemoryExporter(_spans)));
        _client = new HttpClient { BaseAddress = _host.BaseAddress };
    }

    public void Dispose()
    {
        _client.Dispose();
        _host.Dispose();
    }

    [Fact]
    public async Task Analysis_WithTraceparent_IsParentedOnTheCallersSpan()
    {
        var trace = (await TraceReader.ReadFileAsync(Path.Combine(AppContext.BaseDirectory, "Fixtures", "sibling_errors.json"))).Traces[0];
        using (var ingest = new ByteArrayContent(OtlpJsonWriter.ToUtf8Bytes(trace.Spans)))
        {
            ingest.Headers.ContentType = new("application/json");
            (await _client.PostAsync("/v1/traces", ingest)).EnsureSuccessStatusCode();
        }

        Assert.StartsWith("HTTP/1.1 200", await RawPostAsync("/api/analyses", $"{{\"traceId\":\"{trace.TraceId}\"}}"), StringComparison.Ordinal);
        Assert.StartsWith("HTTP/1.1 200", await RawPostAsync("/api/chat", $"{{\"message\":\"look at {trace.TraceId}\"}}"), StringComparison.Ordinal);

        await WaitForAsync(() => _spans.Count(s => s.DisplayName == "analyze") >= 2 && _spans.Any(s => s.DisplayName == "chat turn"));
        var server = _spans.First(s => s.Kind == ActivityKind.Server && s.DisplayName.Contains("/api/analyses", StringComparison.Ordinal));
        Assert.Equal(CallerTrace, server.TraceId.ToHexString());
        Assert.Equal(CallerSpan, server.ParentSpanId.ToHexString());
        var analyze = _spans.First(s => s.DisplayName == "analyze" && s.TraceId == server.TraceId && s.ParentSpanId == server.SpanId);
        Assert.Equal(trace.TraceId, analyze.GetTagItem("opsassistant.trace_id"));
        var turn = _spans.Single(s => s.DisplayName == "chat turn");
        Assert.Equal(CallerTrace, turn.TraceId.ToHexString());
    }

    private Task<string> RawPostAsync(string path, string json) =>
        RawHttp.PostJsonAsync(_host.BaseAddress, path, json, $"00-{CallerTrace}-{CallerSpan}-01");

    private static async Task WaitForAsync(Func<bool> condition)
    {
        for (var i = 0; i < 50 && !condition(); i++)
        {
            await Task.Delay(100);
        }
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TelemetryTests
{
    public const string Name = "server-telemetry";
}
