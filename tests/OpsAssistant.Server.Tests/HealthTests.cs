using System.Net;
using System.Text;
using System.Text.Json;
using OpsAssistant.Infrastructure.Tests.Llm;

namespace OpsAssistant.Server.Tests;

/// <summary>
/// Liveness and readiness through ASP.NET Core health checks: /healthz runs no check; /readyz reports the store, the
/// alert queue and the LLM circuit, and a full queue or an open circuit degrade the service without taking it out of
/// rotation (it still answers, with the deterministic engine).
/// </summary>
public sealed class HealthTests : IAsyncLifetime
{
    private FakeChatCompletionsServer _llm = null!;

    public async ValueTask InitializeAsync() => _llm = await FakeChatCompletionsServer.StartAsync();

    public async ValueTask DisposeAsync() => await _llm.DisposeAsync();

    [Fact]
    public async Task Readyz_OnAFreshService_IsReadyWithEveryCheckHealthy()
    {
        using var host = new OpsAssistantHost();
        using var client = new HttpClient { BaseAddress = host.BaseAddress };

        using var live = await GetAsync(client, "healthz");
        using var ready = await GetAsync(client, "readyz");

        Assert.Equal("ok", live.RootElement.GetProperty("status").GetString());
        Assert.Equal("ready", ready.RootElement.GetProperty("status").GetString());
        foreach (var check in new[] { "store", "queue", "llm" })
        {
            Assert.Equal("healthy", ready.RootElement.GetProperty("checks").GetProperty(check).GetProperty("status").GetString());
        }
    }

    [Fact]
    public async Task Readyz_AlertQueueFull_IsDegradedButStillReady()
    {
        using var host = new OpsAssistantHost(new()
        {
            ["OpsAssistant:Webhooks:RunWorker"] = "false",
            ["OpsAssistant:Webhooks:MaxQueuedAnalyses"] = "1",
        });
        using var client = new HttpClient { BaseAddress = host.BaseAddress };
        using var queued = await client.PostAsync("webhooks/alertmanager", new StringContent(Alert("4bf92f3577b34da6a3ce929d0e0e4736"), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Accepted, queued.StatusCode);

        using var response = await client.GetAsync("readyz");
        using var ready = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("degraded", ready.RootElement.GetProperty("status").GetString());
        var queue = ready.RootElement.GetProperty("checks").GetProperty("queue");
        Assert.Equal("degraded", queue.GetProperty("status").GetString());
        Assert.Contains("OpsAssistant:Webhooks:MaxQueuedAnalyses", queue.GetProperty("description").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Readyz_LlmFailingUntilItsCircuitOpens_IsDegradedAndAnalysesStillAnswer()
    {
        _llm.Default = (ctx, _) => { ctx.Response.StatusCode = 500; return Task.CompletedTask; };
        using var host = new OpsAssistantHost(new()
        {
            ["OpsAssistant:SeedSamples"] = "true",
            ["OpsAssistant:Llm:Provider"] = "OpenAICompatible",
            ["OpsAssistant:Llm:Endpoint"] = _llm.V1Endpoint.ToString(),
            ["OpsAssistant:Llm:Model"] = "fake-model-2026",
            ["OpsAssistant:Llm:ApiKey"] = "test-key",
            ["OpsAssistant:Llm:MaxRetries"] = "0",
            ["OpsAssistant:Llm:CacheTtl"] = "00:00:00",
        });
        using var client = new HttpClient { BaseAddress = host.BaseAddress, Timeout = TimeSpan.FromMinutes(1) };

        // Enough failed calls inside the breaker's sampling window (at least 5) to open it.
        for (var i = 0; i < 8; i++)
        {
            using var analysis = await client.PostAsync("api/analyses", new StringContent("""{"traceId":"7c4f1a90b3e84d2f9a6c5e8017b3d264"}""", Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.OK, analysis.StatusCode);
            using var result = JsonDocument.Parse(await analysis.Content.ReadAsStringAsync());
            Assert.Equal("heuristic", result.RootElement.GetProperty("engine").GetString());
        }

        using var ready = await GetAsync(client, "readyz");

        Assert.Equal("degraded", ready.RootElement.GetProperty("status").GetString());
        Assert.Equal("degraded", ready.RootElement.GetProperty("checks").GetProperty("llm").GetProperty("status").GetString());
    }

    private static async Task<JsonDocument> GetAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync());
    }

    private static string Alert(string traceId) => $$"""
        {"version":"4","status":"firing","receiver":"opsassistant","groupLabels":{},"commonLabels":{},"commonAnnotations":{},
         "alerts":[{"status":"firing","labels":{"alertname":"CheckoutErrors","service":"checkout","trace_id":"{{traceId}}"},
                    "annotations":{},"startsAt":"2026-11-25T08:00:00Z","endsAt":"0001-01-01T00:00:00Z",
                    "generatorURL":"http://prometheus/graph","fingerprint":"0f1e2d3c4b5a6978"}]}
        """;
}
