using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OpsAssistant.Core.Analyses;
using OpsAssistant.Core.Formats;

namespace OpsAssistant.Server.Tests;

/// <summary>The alert webhooks through a real Kestrel host: queueing, deduplication, the worker, and the webhook credentials.</summary>
public sealed class WebhookApiTests : IDisposable
{
    private const string SiblingTrace = "7c4f1a90b3e84d2f9a6c5e8017b3d264";
    private const string Token = "webhook-token-0123456789";
    private const string Secret = "hmac-secret-0123456789-abcdefghijkl";

    private static readonly Dictionary<string, string?> FastWorker = new()
    {
        ["OpsAssistant:Webhooks:PollInterval"] = "00:00:00.200",
        ["OpsAssistant:Webhooks:RetryDelay"] = "00:00:00.050",
        ["OpsAssistant:Webhooks:MaxAttempts"] = "2",
    };

    private readonly List<OpsAssistantHost> _hosts = [];

    public void Dispose()
    {
        foreach (var host in _hosts)
        {
            host.Dispose();
        }
    }

    [Fact]
    public async Task PostAlertmanager_FiringAlertWithTraceId_QueuesAnAnalysisTheWorkerCompletes()
    {
        using var client = Client();
        await WebhookTestKit.IngestAsync(client, "sibling_errors.json");

        using var response = await PostAsync(client, "/webhooks/alertmanager", Payload("firing", SiblingTrace));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var analysis = body.RootElement.GetProperty("analyses")[0];
        Assert.Equal(SiblingTrace, analysis.GetProperty("traceId").GetString());
        Assert.Equal("queued", analysis.GetProperty("status").GetString());
        Assert.Equal(0, body.RootElement.GetProperty("skipped").GetArrayLength());

        var id = analysis.GetProperty("id").GetString()!;
        using var done = await WebhookTestKit.WaitForAnalysisAsync(client, id, "done");
        Assert.Equal(id, done.RootElement.GetProperty("analysisId").GetString());
        Assert.Equal("alertmanager", done.RootElement.GetProperty("origin").GetString());
        Assert.Equal("payment", done.RootElement.GetProperty("hypotheses")[0].GetProperty("service").GetString());
    }

    [Fact]
    public async Task Restart_AnalysisLeftRunningByAStoppedProcess_IsQueuedAgainAndCompleted()
    {
        var directory = Directory.CreateTempSubdirectory("opsassistant-restart-").FullName;
        var shared = new Dictionary<string, string?> { ["OpsAssistant:Storage:Path"] = Path.Combine(directory, "traces.db") };
        try
        {
            using (var client = Client(shared))
            {
                await WebhookTestKit.IngestAsync(client, "sibling_errors.json");
                var store = _hosts[^1].Services.GetRequiredService<IAnalysisStore>();
                await store.SaveAsync(new AnalysisRecord { Id = "alert-interrupted", TraceId = SiblingTrace, Status = AnalysisStatus.Running, CreatedAt = DateTimeOffset.UtcNow, Origin = "alertmanager" });
                await _hosts[^1].DisposeAsync();
            }

            using var restarted = Client(shared);
            using var done = await WebhookTestKit.WaitForAnalysisAsync(restarted, "alert-interrupted", "done");
            Assert.Equal("payment", done.RootElement.GetProperty("hypotheses")[0].GetProperty("service").GetString());
        }
        finally
        {
            Dispose();
            _hosts.Clear();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
                // A pooled handle can outlive the host by a moment; the OS cleans its temp folder later.
            }
        }
    }

    [Fact]
    public async Task PostGrafana_SameAlertTwice_ReturnsTheSameAnalysis()
    {
        using var client = Client();
        await WebhookTestKit.IngestAsync(client, "sibling_errors.json");

        using var first = await PostAsync(client, "/webhooks/grafana", Payload("firing", SiblingTrace));
        using var firstBody = JsonDocument.Parse(await first.Content.ReadAsStringAsync());
        var id = firstBody.RootElement.GetProperty("analyses")[0].GetProperty("id").GetString()!;
        using var done = await WebhookTestKit.WaitForAnalysisAsync(client, id, "done");
        var completedAt = done.RootElement.GetProperty("completedAt").GetString();

        using var second = await PostAsync(client, "/webhooks/grafana", Payload("firing", SiblingTrace));
        using var secondBody = JsonDocument.Parse(await second.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.Accepted, second.StatusCode);
        var again = secondBody.RootElement.GetProperty("analyses")[0];
        Assert.Equal(id, again.GetProperty("id").GetString());
        Assert.Equal("done", again.GetProperty("status").GetString());
        await Task.Delay(500);
        using var stored = JsonDocument.Parse(await client.GetStringAsync($"/api/analyses/{id}"));
        Assert.Equal(completedAt, stored.RootElement.GetProperty("completedAt").GetString());
    }

    [Fact]
    public async Task PostAlertmanager_AlertWithServiceButNoTraceId_AnalysesTheWorstStoredTraceOfThatService()
    {
        using var client = Client();
        await WebhookTestKit.IngestAsync(client, "sibling_errors.json");
        static string ServiceAlert(string service) => $$"""
            {"status":"firing","alerts":[{"status":"firing","labels":{"alertname":"ErrorRate","service":"{{service}}"},
              "startsAt":"2025-08-06T17:10:00Z","fingerprint":"aa11bb22cc33dd44"}]}
            """;

        using var response = await PostAsync(client, "/webhooks/alertmanager", ServiceAlert("checkout"));
        using var again = await PostAsync(client, "/webhooks/alertmanager", ServiceAlert("checkout"));
        using var unknown = await PostAsync(client, "/webhooks/alertmanager", ServiceAlert("inventory"));

        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var analysis = body.RootElement.GetProperty("analyses")[0];
        Assert.Equal(SiblingTrace, analysis.GetProperty("traceId").GetString());
        var id = analysis.GetProperty("id").GetString()!;
        using var againBody = JsonDocument.Parse(await again.Content.ReadAsStringAsync());
        Assert.Equal(id, againBody.RootElement.GetProperty("analyses")[0].GetProperty("id").GetString());
        using var done = await WebhookTestKit.WaitForAnalysisAsync(client, id, "done");
        Assert.Equal("payment", done.RootElement.GetProperty("hypotheses")[0].GetProperty("service").GetString());

        using var unknownBody = JsonDocument.Parse(await unknown.Content.ReadAsStringAsync());
        Assert.Contains("no trace of service 'inventory'", unknownBody.RootElement.GetProperty("skipped")[0].GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ResolvedDelivery_IsRecordedOnTheFiringAlertsAnalysis_NotAnalysedAgain()
    {
        using var client = Client();
        await WebhookTestKit.IngestAsync(client, "sibling_errors.json");
        using var firing = await PostAsync(client, "/webhooks/alertmanager", Payload("firing", SiblingTrace));
        using var firingBody = JsonDocument.Parse(await firing.Content.ReadAsStringAsync());
        var id = firingBody.RootElement.GetProperty("analyses")[0].GetProperty("id").GetString()!;
        using var done = await WebhookTestKit.WaitForAnalysisAsync(client, id, "done");
        Assert.Equal(JsonValueKind.Null, done.RootElement.GetProperty("resolvedAt").ValueKind);
        Assert.Equal("CheckoutErrors", done.RootElement.GetProperty("subject").GetString());
        Assert.Equal(1, done.RootElement.GetProperty("attempts").GetInt32());

        using var resolved = await PostAsync(client, "/webhooks/alertmanager", Payload("resolved", SiblingTrace));

        using var resolvedBody = JsonDocument.Parse(await resolved.Content.ReadAsStringAsync());
        Assert.Equal(0, resolvedBody.RootElement.GetProperty("analyses").GetArrayLength());
        Assert.Equal("resolved", resolvedBody.RootElement.GetProperty("skipped")[0].GetProperty("reason").GetString());
        using var after = JsonDocument.Parse(await client.GetStringAsync($"/api/analyses/{id}"));
        Assert.Equal("done", after.RootElement.GetProperty("status").GetString());
        Assert.Equal(done.RootElement.GetProperty("completedAt").GetString(), after.RootElement.GetProperty("completedAt").GetString());
        Assert.True(after.RootElement.GetProperty("resolvedAt").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(-1));
    }

    [Fact]
    public async Task WorkerOff_AlertIsQueuedForOtherReplicas_AndAnotherReplicaOnTheSameStoreAnalysesIt()
    {
        var directory = Directory.CreateTempSubdirectory("opsassistant-tiers-").FullName;
        var store = new Dictionary<string, string?> { ["OpsAssistant:Storage:Path"] = Path.Combine(directory, "traces.db") };
        using var web = Client(new(store) { ["OpsAssistant:Webhooks:RunWorker"] = "false" });
        await WebhookTestKit.IngestAsync(web, "sibling_errors.json");

        using var response = await PostAsync(web, "/webhooks/alertmanager", Payload("firing", SiblingTrace));
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var id = body.RootElement.GetProperty("analyses")[0].GetProperty("id").GetString()!;
        await Task.Delay(600);
        using (var still = JsonDocument.Parse(await web.GetStringAsync($"/api/analyses/{id}")))
        {
            Assert.Equal("queued", still.RootElement.GetProperty("status").GetString());
        }

        using var worker = Client(store);
        using var done = await WebhookTestKit.WaitForAnalysisAsync(web, id, "done");
        Assert.Equal("payment", done.RootElement.GetProperty("hypotheses")[0].GetProperty("service").GetString());
    }

    [Fact]
    public async Task PostAlertmanager_UnknownTrace_EndsFailedWithTheReason()
    {
        using var client = Client();

        using var response = await PostAsync(client, "/webhooks/alertmanager", Payload("firing", "ffffffffffffffffffffffffffffffff"));
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var id = body.RootElement.GetProperty("analyses")[0].GetProperty("id").GetString()!;

        using var failed = await WebhookTestKit.WaitForAnalysisAsync(client, id, "failed");
        Assert.Contains("not found", failed.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PostAlertmanager_SharedPayloads_SkipResolvedAndTraceLessAlerts()
    {
        using var client = Client();

        using var resolved = await PostAsync(client, "/webhooks/alertmanager", await FixtureAsync("alertmonitor_captured_resolved.json"));
        using var firing = await PostAsync(client, "/webhooks/grafana", await FixtureAsync("grafana_docs_webhook_payload_example.json"));

        Assert.Equal(HttpStatusCode.Accepted, resolved.StatusCode);
        using var resolvedBody = JsonDocument.Parse(await resolved.Content.ReadAsStringAsync());
        Assert.Equal(0, resolvedBody.RootElement.GetProperty("analyses").GetArrayLength());
        Assert.All(resolvedBody.RootElement.GetProperty("skipped").EnumerateArray(), s => Assert.Equal("resolved", s.GetProperty("reason").GetString()));
        Assert.Equal(3, resolvedBody.RootElement.GetProperty("skipped").GetArrayLength());

        using var firingBody = JsonDocument.Parse(await firing.Content.ReadAsStringAsync());
        var skipped = firingBody.RootElement.GetProperty("skipped");
        Assert.Equal("High memory usage", skipped[0].GetProperty("alert").GetString());
        Assert.StartsWith("no trace ID", skipped[0].GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PostAlertmanager_MalformedJson_IsABadRequestProblem()
    {
        using var client = Client();

        using var response = await PostAsync(client, "/webhooks/alertmanager", "{\"alerts\": [");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("not valid JSON", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PostAlertmanager_BodyOverTheLimit_IsPayloadTooLarge()
    {
        using var client = Client(new() { ["OpsAssistant:Webhooks:MaxRequestBytes"] = "2048" });

        using var response = await PostAsync(client, "/webhooks/alertmanager", Payload("firing", SiblingTrace, padding: 4096));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("MaxRequestBytes", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, HttpStatusCode.Unauthorized)]
    [InlineData("wrong-token-0123456789", HttpStatusCode.Unauthorized)]
    [InlineData(Token, HttpStatusCode.Accepted)]
    public async Task PostAlertmanager_WithWebhookToken_RequiresTheBearerToken(string? presented, HttpStatusCode expected)
    {
        using var client = Client(new() { ["OpsAssistant:Security:WebhookToken"] = Token });
        using var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/alertmanager") { Content = Json(Payload("resolved", SiblingTrace)) };
        if (presented is not null)
        {
            request.Headers.Authorization = new("Bearer", presented);
        }

        using var response = await client.SendAsync(request);

        Assert.Equal(expected, response.StatusCode);
        if (expected == HttpStatusCode.Unauthorized)
        {
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
    }

    [Theory]
    [InlineData(null, HttpStatusCode.Unauthorized)]
    [InlineData("sha256=00", HttpStatusCode.Unauthorized)]
    [InlineData("sha256=zz", HttpStatusCode.Unauthorized)]
    [InlineData("good", HttpStatusCode.Accepted)]
    public async Task PostGrafana_WithHmacSecret_RequiresTheBodySignature(string? signature, HttpStatusCode expected)
    {
        using var client = Client(new() { ["OpsAssistant:Security:WebhookHmacSecret"] = Secret });
        var payload = Payload("resolved", SiblingTrace);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/grafana") { Content = Json(payload) };
        if (signature is not null)
        {
            var stamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
            request.Headers.Add("X-OpsAssistant-Timestamp", stamp);
            request.Headers.Add("X-OpsAssistant-Signature", signature == "good" ? Sign(stamp, payload) : signature);
        }

        using var response = await client.SendAsync(request);

        Assert.Equal(expected, response.StatusCode);
    }

    [Theory]
    [InlineData(-600, HttpStatusCode.Unauthorized)]
    [InlineData(600, HttpStatusCode.Unauthorized)]
    [InlineData(-60, HttpStatusCode.Accepted)]
    public async Task PostGrafana_SignedDeliveryOutsideTheWindow_IsRefused(int ageSeconds, HttpStatusCode expected)
    {
        using var client = Client(new() { ["OpsAssistant:Security:WebhookHmacSecret"] = Secret });
        var payload = Payload("resolved", SiblingTrace);
        var stamp = DateTimeOffset.UtcNow.AddSeconds(ageSeconds).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/grafana") { Content = Json(payload) };
        request.Headers.Add("X-OpsAssistant-Timestamp", stamp);
        request.Headers.Add("X-OpsAssistant-Signature", Sign(stamp, payload));

        using var response = await client.SendAsync(request);

        Assert.Equal(expected, response.StatusCode);
    }

    [Fact]
    public async Task PostAlertmanager_CapturedFiringReplayedAfterResolved_IsRefusedAndSamplingStaysEnded()
    {
        using var client = Client(new() { ["OpsAssistant:Security:WebhookHmacSecret"] = Secret });
        async Task<HttpResponseMessage> SendAsync(string stamp, string payload)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/alertmanager") { Content = Json(payload) };
            request.Headers.Add("X-OpsAssistant-Timestamp", stamp);
            request.Headers.Add("X-OpsAssistant-Signature", Sign(stamp, payload));
            return await client.SendAsync(request);
        }

        var firingStamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var firing = Payload("firing", SiblingTrace);
        using (var first = await SendAsync(firingStamp, firing))
        {
            Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        }

        using (var resolved = await SendAsync(firingStamp, Payload("resolved", SiblingTrace)))
        {
            Assert.Equal(HttpStatusCode.Accepted, resolved.StatusCode);
        }

        using var replay = await SendAsync(firingStamp, firing);

        Assert.Equal(HttpStatusCode.Unauthorized, replay.StatusCode);
        Assert.Contains("already received", await replay.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static string Sign(string stamp, string payload) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), Encoding.UTF8.GetBytes(stamp + "." + payload)));

    private static string Payload(string status, string traceId, int padding = 0) => $$"""
        {"version":"4","status":"{{status}}","receiver":"opsassistant","groupLabels":{},"commonLabels":{},"commonAnnotations":{},
         "alerts":[{"status":"{{status}}","labels":{"alertname":"CheckoutErrors","service":"checkout","trace_id":"{{traceId}}"},
                    "annotations":{"summary":"{{new string('x', padding)}}"},"startsAt":"2026-11-25T08:00:00Z","endsAt":"0001-01-01T00:00:00Z",
                    "generatorURL":"http://prometheus/graph","fingerprint":"0f1e2d3c4b5a6978"}]}
        """;

    private static async Task<string> FixtureAsync(string name) =>
        await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "Fixtures", "alerts", name));

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private static Task<HttpResponseMessage> PostAsync(HttpClient client, string path, string body) => client.PostAsync(path, Json(body));

    private HttpClient Client(Dictionary<string, string?>? settings = null)
    {
        var all = new Dictionary<string, string?>(FastWorker);
        foreach (var (key, value) in settings ?? [])
        {
            all[key] = value;
        }

        var host = new OpsAssistantHost(all);
        _hosts.Add(host);
        return new HttpClient { BaseAddress = host.BaseAddress };
    }
}
