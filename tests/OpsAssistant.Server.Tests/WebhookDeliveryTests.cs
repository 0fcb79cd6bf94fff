using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OpsAssistant.Core.Analyses;
using OpsAssistant.Core.Formats;

namespace OpsAssistant.Server.Tests;

/// <summary>What happens after an alert is accepted: notifications, the bound on the queue, and the caller's trace context.</summary>
public sealed class WebhookDeliveryTests : IAsyncLifetime
{
    private const string SiblingTrace = "7c4f1a90b3e84d2f9a6c5e8017b3d264";

    private readonly List<OpsAssistantHost> _hosts = [];
    private RecordingReceiver _receiver = null!;

    public async ValueTask InitializeAsync() => _receiver = await RecordingReceiver.StartAsync();

    public async ValueTask DisposeAsync()
    {
        foreach (var host in _hosts)
        {
            host.Dispose();
        }

        await _receiver.DisposeAsync();
    }

    [Fact]
    public async Task FinishedAlertAnalysis_IsPostedOnceAsJsonToTheConfiguredUrl_AfterTheReceiverRecovers()
    {
        // Two failures: the resilience handler's own retries absorb them within one delivery.
        _receiver.Answer(503, 500);
        var (client, host) = Client(new()
        {
            ["OpsAssistant:Notifications:Url"] = new Uri(_receiver.BaseAddress, "hooks/rca").ToString(),
            ["OpsAssistant:Notifications:Authorization"] = "Bearer receiver-secret",
            ["OpsAssistant:Notifications:PublicBaseUrl"] = "https://rca.example.com/",
        });
        await WebhookTestKit.IngestAsync(client);

        var id = await QueueAsync(client, Alert("firing", "CheckoutErrors", "0f1e2d3c4b5a6978", SiblingTrace));
        await WaitForNotificationAsync(host, id, NotificationState.Sent);

        var delivered = _receiver.Requests.Where(r => r.Path == "/hooks/rca" && r.Headers.GetValueOrDefault("Idempotency-Key") == id).ToList();
        Assert.Equal(3, delivered.Count);
        var last = delivered[^1];
        Assert.Equal("Bearer receiver-secret", last.Headers["Authorization"]);
        using var body = JsonDocument.Parse(last.Body);
        Assert.Equal(id, body.RootElement.GetProperty("analysisId").GetString());
        Assert.Equal("done", body.RootElement.GetProperty("status").GetString());
        Assert.Equal("CheckoutErrors", body.RootElement.GetProperty("subject").GetString());
        Assert.Equal("payment", body.RootElement.GetProperty("hypotheses")[0].GetProperty("service").GetString());
        Assert.Equal($"https://rca.example.com/?analysisId={id}", body.RootElement.GetProperty("link").GetString());
    }

    [Fact]
    public async Task SlackFormat_PostsEscapedTextSoAlertTextCannotPingAChannel()
    {
        var (client, host) = Client(new()
        {
            ["OpsAssistant:Notifications:Url"] = new Uri(_receiver.BaseAddress, "services/T000/B000/XXXX").ToString(),
            ["OpsAssistant:Notifications:Format"] = "Slack",
        });
        await WebhookTestKit.IngestAsync(client);

        var id = await QueueAsync(client, Alert("firing", "Checkout <!channel> errors", "1f1e2d3c4b5a6978", SiblingTrace));
        await WaitForNotificationAsync(host, id, NotificationState.Sent);

        var request = Assert.Single(_receiver.Requests, r => r.Headers.GetValueOrDefault("Idempotency-Key") == id);
        using var body = JsonDocument.Parse(request.Body);
        var text = body.RootElement.GetProperty("text").GetString()!;
        Assert.Contains("Checkout &lt;!channel&gt; errors", text, StringComparison.Ordinal);
        Assert.DoesNotContain("<!channel>", text, StringComparison.Ordinal);
        Assert.Contains("payment", text, StringComparison.Ordinal);
        Assert.Single(body.RootElement.EnumerateObject());
    }

    [Fact]
    public async Task TeamsFormat_PostsAnAdaptiveCardWithEscapedAlertTextAndALinkToThePage()
    {
        var (client, host) = Client(new()
        {
            ["OpsAssistant:Notifications:Url"] = new Uri(_receiver.BaseAddress, "workflows/triggers/manual/paths/invoke").ToString(),
            ["OpsAssistant:Notifications:Format"] = "Teams",
            ["OpsAssistant:Notifications:PublicBaseUrl"] = "https://rca.example.com/",
        });
        await WebhookTestKit.IngestAsync(client);

        var id = await QueueAsync(client, Alert("firing", "Checkout [click](https://evil.example) **now** <at>General</at>", "4f1e2d3c4b5a6978", SiblingTrace));
        await WaitForNotificationAsync(host, id, NotificationState.Sent);

        var request = Assert.Single(_receiver.Requests, r => r.Headers.GetValueOrDefault("Idempotency-Key") == id);
        using var body = JsonDocument.Parse(request.Body);
        Assert.Equal("message", body.RootElement.GetProperty("type").GetString());
        var attachment = Assert.Single(body.RootElement.GetProperty("attachments").EnumerateArray());
        Assert.Equal("application/vnd.microsoft.card.adaptive", attachment.GetProperty("contentType").GetString());
        var card = attachment.GetProperty("content");
        Assert.Equal("AdaptiveCard", card.GetProperty("type").GetString());
        var texts = card.GetProperty("body").EnumerateArray().Select(b => b.GetProperty("text").GetString()!).ToList();
        Assert.Contains(@"Checkout \[click\]\(https://evil.example\) \*\*now\*\* \<at\>General\</at\>", texts[0], StringComparison.Ordinal);
        Assert.DoesNotContain(texts, t => t.Contains("](", StringComparison.Ordinal) || t.Contains("<at>", StringComparison.Ordinal));
        Assert.Contains(texts, t => t.Contains("payment", StringComparison.Ordinal));
        var action = Assert.Single(card.GetProperty("actions").EnumerateArray());
        Assert.Equal("Action.OpenUrl", action.GetProperty("type").GetString());
        Assert.Equal($"https://rca.example.com/?analysisId={id}", action.GetProperty("url").GetString());
    }

    [Fact]
    public async Task ReceiverDownForGood_NotificationIsRetriedThenMarkedFailed_AndTheAnalysisStaysDone()
    {
        for (var i = 0; i < 40; i++)
        {
            _receiver.Answer(500);
        }

        var (client, host) = Client(new()
        {
            ["OpsAssistant:Notifications:Url"] = _receiver.BaseAddress.ToString(),
            ["OpsAssistant:Notifications:MaxAttempts"] = "2",
            ["OpsAssistant:Notifications:RetryDelay"] = "00:00:00.100",
            ["OpsAssistant:Notifications:Timeout"] = "00:00:02",
        });
        await WebhookTestKit.IngestAsync(client);

        var id = await QueueAsync(client, Alert("firing", "CheckoutErrors", "2f1e2d3c4b5a6978", SiblingTrace));
        await WaitForNotificationAsync(host, id, NotificationState.Failed);

        using var analysis = JsonDocument.Parse(await client.GetStringAsync($"/api/analyses/{id}"));
        Assert.Equal("done", analysis.RootElement.GetProperty("status").GetString());
        Assert.True(_receiver.Requests.Count >= 2);
    }

    [Fact]
    public async Task FullQueue_RejectsTheDeliveryWith503AndRetryAfter_AndQueuesNothingOfIt()
    {
        // The worker never runs within the test (a long poll and one slow slot), so the queue only fills.
        var (client, host) = Client(new()
        {
            ["OpsAssistant:Webhooks:MaxQueuedAnalyses"] = "2",
            ["OpsAssistant:Webhooks:QueueFullRetryAfter"] = "00:00:45",
        });
        var queue = host.Services.GetRequiredService<IAnalysisQueue>();
        var store = host.Services.GetRequiredService<IAnalysisStore>();
        await store.TryAddAsync(new AnalysisRecord { Id = "held-1", TraceId = SiblingTrace, Status = AnalysisStatus.Queued, Origin = "alertmanager", CreatedAt = DateTimeOffset.UtcNow.AddYears(1) });
        await store.TryAddAsync(new AnalysisRecord { Id = "held-2", TraceId = SiblingTrace, Status = AnalysisStatus.Queued, Origin = "alertmanager", CreatedAt = DateTimeOffset.UtcNow.AddYears(1) });
        await queue.ClaimAsync("another-replica", 2, TimeSpan.FromMinutes(10));

        using var response = await client.PostAsync("/webhooks/alertmanager", Json(Alert("firing", "CheckoutErrors", "3f1e2d3c4b5a6978", SiblingTrace)));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(45), response.Headers.RetryAfter?.Delta);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("MaxQueuedAnalyses", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(2, await queue.CountPendingAsync());
    }

    [Fact]
    public async Task Traceparent_OnTheWebhook_IsContinuedThroughTheQueueIntoTheLlmCall()
    {
        const string callerTrace = "4bf92f3577b34da6a3ce929d0e0e4736";
        _receiver.DefaultBody = """
            {"id":"c1","object":"chat.completion","created":1,"model":"fake","choices":[{"index":0,"message":{"role":"assistant","content":"not json"},"finish_reason":"stop"}],
             "usage":{"prompt_tokens":10,"completion_tokens":2,"total_tokens":12}}
            """;
        var (client, _) = Client(new()
        {
            ["OpsAssistant:Llm:Provider"] = "OpenAICompatible",
            ["OpsAssistant:Llm:Endpoint"] = new Uri(_receiver.BaseAddress, "v1").ToString(),
            ["OpsAssistant:Llm:Model"] = "fake",
            ["OpsAssistant:Llm:MaxRetries"] = "0",
        });
        await WebhookTestKit.IngestAsync(client);
        var raw = await RawHttp.PostJsonAsync(client.BaseAddress!, "/webhooks/alertmanager",
            Alert("firing", "CheckoutErrors", "4f1e2d3c4b5a6978", SiblingTrace), $"00-{callerTrace}-00f067aa0ba902b7-01");

        Assert.StartsWith("HTTP/1.1 202", raw, StringComparison.Ordinal);
        // The body may be chunked on the wire; the ID is all that is needed from it.
        var id = System.Text.RegularExpressions.Regex.Match(raw, "\"id\":\"(alert-[0-9a-f]+)\"").Groups[1].Value;
        Assert.NotEmpty(id);
        (await WebhookTestKit.WaitForAnalysisAsync(client, id, "done")).Dispose();

        var llmCall = Assert.Single(_receiver.Requests, r => r.Path.EndsWith("/chat/completions", StringComparison.Ordinal));
        Assert.StartsWith($"00-{callerTrace}-", llmCall.Headers["traceparent"], StringComparison.Ordinal);
    }

    private static string Alert(string status, string name, string fingerprint, string traceId) => JsonSerializer.Serialize(new
    {
        version = "4",
        status,
        receiver = "opsassistant",
        alerts = new[]
        {
            new
            {
                status,
                labels = new Dictionary<string, string> { ["alertname"] = name, ["service"] = "checkout", ["trace_id"] = traceId },
                annotations = new Dictionary<string, string>(),
                startsAt = "2026-11-25T08:00:00Z",
                fingerprint,
            },
        },
    });

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private static async Task<string> QueueAsync(HttpClient client, string payload)
    {
        using var response = await client.PostAsync("/webhooks/alertmanager", Json(payload));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("analyses")[0].GetProperty("id").GetString()!;
    }

    private static async Task WaitForNotificationAsync(OpsAssistantHost host, string id, NotificationState state)
    {
        var queue = host.Services.GetRequiredService<IAnalysisQueue>();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (await queue.GetNotificationAsync(id) != state)
        {
            Assert.True(DateTime.UtcNow < deadline, $"The notification of {id} is {await queue.GetNotificationAsync(id)}, not {state}.");
            await Task.Delay(100);
        }
    }

    private (HttpClient Client, OpsAssistantHost Host) Client(Dictionary<string, string?> settings)
    {
        var all = new Dictionary<string, string?>
        {
            ["OpsAssistant:Webhooks:PollInterval"] = "00:00:00.200",
            ["OpsAssistant:Webhooks:RetryDelay"] = "00:00:00.050",
            ["OpsAssistant:Notifications:PollInterval"] = "00:00:00.200",
        };
        foreach (var (key, value) in settings)
        {
            all[key] = value;
        }

        var host = new OpsAssistantHost(all);
        _hosts.Add(host);
        return (new HttpClient { BaseAddress = host.BaseAddress }, host);
    }
}
