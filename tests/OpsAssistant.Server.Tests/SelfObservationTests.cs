using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Trace;
using OpsAssistant.Core.Sources;
using OpsAssistant.Infrastructure.Tests.Llm;

namespace OpsAssistant.Server.Tests;

/// <summary>
/// The service pointed at its own OTLP/gRPC ingest with one setting (<c>OTEL_EXPORTER_OTLP_ENDPOINT</c>, gRPC being the .NET
/// exporter's default): its own analysis traces, the <c>chat {model}</c> span with token usage included, land in its store,
/// none of its ingest requests does (no feedback loop), and analysing such a trace names a slow LLM call as the cause.
/// </summary>
public sealed class SelfObservationTests
{
    private const string TraceId = "7c4f1a90b3e84d2f9a6c5e8017b3d264";

    [Fact]
    public async Task ExporterPointedAtOwnGrpcIngest_StoresItsAnalysisTraces_WithoutTracingItsIngest_AndBlamesTheSlowLlmCall()
    {
        await using var llm = await FakeChatCompletionsServer.StartAsync();
        llm.Default = async (ctx, _) =>
        {
            // A slow model: most of the analysis is this one call.
            await Task.Delay(TimeSpan.FromSeconds(1.5));
            await FakeChatCompletionsServer.WriteJsonAsync(ctx, """{"summary":"s","hypotheses":[]}""", 1234, 56, "fake-model-2026");
        };
        var port = FreePort();
        using var host = new OpsAssistantHost(new()
        {
            ["OpsAssistant:Ingest:GrpcUrl"] = $"http://127.0.0.1:{port}",
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = $"http://127.0.0.1:{port}",
            ["OpsAssistant:Llm:Provider"] = "OpenAICompatible",
            ["OpsAssistant:Llm:Endpoint"] = llm.V1Endpoint.ToString(),
            ["OpsAssistant:Llm:Model"] = "fake-model",
            ["OpsAssistant:Llm:ApiKey"] = "fake-llm-key-0123456789",
            ["OpsAssistant:Llm:MaxRetries"] = "0",
            ["OpsAssistant:Llm:CacheTtl"] = "00:00:00",
        });
        using var client = host.CreateClient();
        var store = host.Services.GetRequiredService<ITraceStore>();
        var fixture = await File.ReadAllBytesAsync(System.IO.Path.Combine(AppContext.BaseDirectory, "Fixtures", "sibling_errors.json"));
        // The test's own HttpClient is in the service's process, where the HttpClient instrumentation would trace it too.
        using var notTheService = SuppressInstrumentationScope.Begin();
        using (var ingest = new ByteArrayContent(fixture))
        {
            ingest.Headers.ContentType = new("application/json");
            (await client.PostAsync("/v1/traces", ingest)).EnsureSuccessStatusCode();
        }

        using (var first = await client.PostAsJsonAsync("/api/analyses", new { traceId = TraceId }))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        Assert.True(host.Services.GetRequiredService<TracerProvider>().ForceFlush(10_000));
        var own = await WaitForOwnAnalysisTraceAsync(store);

        var trace = (await store.GetTraceAsync(own.TraceId))!;
        var chat = Assert.Single(trace.Spans, s => s.Name == "chat fake-model");
        Assert.Equal("opsassistant", chat.ServiceName);
        Assert.Equal(1234L, chat.GetAttribute("gen_ai.usage.input_tokens"));
        Assert.Equal(56L, chat.GetAttribute("gen_ai.usage.output_tokens"));
        Assert.Contains(trace.Spans, s => s.Name == "analyze");

        // Nothing the exporter sent was itself traced: no span of an ingest request, over gRPC or HTTP, is in the store.
        var everything = await store.SearchAsync(new TraceQuery { Service = "opsassistant", Limit = 100 });
        foreach (var summary in everything)
        {
            var spans = (await store.GetTraceAsync(summary.TraceId))!.Spans;
            Assert.DoesNotContain(spans, s => Path(s) is { } path && (path.Contains("opentelemetry.proto.collector", StringComparison.Ordinal) || path is "/v1/traces" or "/v1/metrics" or "/v1/logs"));
        }

        using var second = await client.PostAsJsonAsync("/api/analyses", new { traceId = own.TraceId, source = "store" });
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        using var result = JsonDocument.Parse(await second.Content.ReadAsStringAsync());
        // The top hypothesis blames the LLM call: the chat span or the HTTP request it made (here the fake model runs in the
        // test's process, so its server span is in the trace too; a real provider's would not be).
        var top = result.RootElement.GetProperty("hypotheses")[0];
        var llmCall = Descendants(trace, chat.SpanId).Append(chat.SpanId).ToHashSet(StringComparer.Ordinal);
        Assert.Contains(top.GetProperty("spanIds")[0].GetString()!, llmCall);
        Assert.Equal("opsassistant", top.GetProperty("service").GetString());
    }

    private static async Task<TraceSummary> WaitForOwnAnalysisTraceAsync(ITraceStore store)
    {
        // The batch exporter sends on its own thread; ForceFlush returns once it has, so the spans are in or about to be.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            foreach (var summary in await store.SearchAsync(new TraceQuery { Service = "opsassistant", Limit = 20 }))
            {
                var spans = (await store.GetTraceAsync(summary.TraceId))!.Spans;
                if (spans.Any(s => Path(s) == "/api/analyses") && spans.Any(s => s.Name == "chat fake-model"))
                {
                    return summary;
                }
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException("The service's own analysis trace never reached its store.");
            }

            await Task.Delay(100);
        }
    }

    private static IEnumerable<string> Descendants(OpsAssistant.Core.Model.Trace trace, string spanId) =>
        trace.Spans.Where(s => s.ParentSpanId == spanId).SelectMany(s => Descendants(trace, s.SpanId).Append(s.SpanId));

    private static string? Path(OpsAssistant.Core.Model.Span span) => span.GetAttribute("url.path") as string;

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
