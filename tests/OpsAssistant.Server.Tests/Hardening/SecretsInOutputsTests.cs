using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using OpsAssistant.Infrastructure.Tests.Llm;

namespace OpsAssistant.Server.Tests.Hardening;

/// <summary>
/// A trace with twelve kinds of secret in its span names, status messages, attributes and events, ingested over OTLP, then
/// analysed (API, alert webhook, chat) by a model that echoes every secret back: none reaches the result JSON from
/// <c>/api/analyses</c>, the chat's Server-Sent Events, the notification a loopback receiver gets (JSON and Slack), the
/// trace search summaries and display view, or the console log lines. The raw trace stays raw for callers who read traces.
/// </summary>
public sealed class SecretsInOutputsTests
{
    [Theory]
    [InlineData("Json")]
    [InlineData("Slack")]
    public async Task EveryOutput_TraceAndModelCarryTwelveSecretKinds_NoneReachesAnyOutput(string notificationFormat)
    {
        await using var llm = await FakeChatCompletionsServer.StartAsync();
        llm.Default = EchoingModel;
        await using var receiver = await RecordingReceiver.StartAsync();
        var logs = new FormattedLogs();
        using var host = new OpsAssistantHost(
            new()
            {
                ["Logging:LogLevel:Default"] = "Trace",
                ["OpsAssistant:Llm:Provider"] = "OpenAICompatible",
                ["OpsAssistant:Llm:Endpoint"] = llm.V1Endpoint.ToString(),
                ["OpsAssistant:Llm:Model"] = "fake-model",
                ["OpsAssistant:Llm:ApiKey"] = "llm-provider-key-Zq8vN3xY5wR2",
                ["OpsAssistant:Llm:MaxRetries"] = "0",
                ["OpsAssistant:Webhooks:PollInterval"] = "00:00:00.200",
                ["OpsAssistant:Notifications:Url"] = new Uri(receiver.BaseAddress, "hooks/rca").ToString(),
                ["OpsAssistant:Notifications:Format"] = notificationFormat,
                ["OpsAssistant:Notifications:PollInterval"] = "00:00:00.200",
            },
            services => services.AddSingleton<ILoggerProvider>(logs));
        using var client = host.CreateClient();
        using (var ingest = new StringContent(PlantedSecrets.Trace(), Encoding.UTF8, "application/json"))
        {
            (await client.PostAsync(new Uri("v1/traces", UriKind.Relative), ingest)).EnsureSuccessStatusCode();
        }

        var outputs = new Dictionary<string, string>();

        // The result, as POST returns it and as GET reads it back from the store.
        using (var analysis = await client.PostAsJsonAsync(new Uri("api/analyses", UriKind.Relative), new { traceId = PlantedSecrets.TraceId }))
        {
            Assert.Equal(HttpStatusCode.OK, analysis.StatusCode);
            var created = JsonNode.Parse(await analysis.Content.ReadAsStringAsync())!;
            Assert.Equal("llm", created["engine"]!.GetValue<string>());
            outputs["POST /api/analyses"] = PlantedSecrets.Strings(created);
            outputs["GET /api/analyses/{id}"] = PlantedSecrets.Strings(JsonNode.Parse(
                await client.GetStringAsync(new Uri($"api/analyses/{created["analysisId"]}", UriKind.Relative))));
        }

        // Chat, streamed: a turn that analyses the trace, and a free conversation the model answers by echoing the secrets.
        outputs["chat SSE (trace)"] = await ChatAsync(client, new { message = "why did it fail?", traceId = PlantedSecrets.TraceId });
        outputs["chat SSE (conversation)"] = await ChatAsync(client, new { message = "what credentials did checkout use?" });
        using (var plain = await client.PostAsJsonAsync(new Uri("api/chat", UriKind.Relative), new { message = "and the keys?" }))
        {
            outputs["chat JSON"] = PlantedSecrets.Strings(JsonNode.Parse(await plain.Content.ReadAsStringAsync()));
        }

        // An alert whose own text carries a secret, analysed by the worker and posted to the receiver.
        using (var alert = await client.PostAsync(new Uri("webhooks/alertmanager", UriKind.Relative), new StringContent(Alert(), Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.Accepted, alert.StatusCode);
            var id = JsonNode.Parse(await alert.Content.ReadAsStringAsync())!["analyses"]![0]!["id"]!.GetValue<string>();
            using var done = await WebhookTestKit.WaitForAnalysisAsync(client, id, "done");
            outputs["GET /api/analyses/{id} (alert)"] = PlantedSecrets.Strings(JsonNode.Parse(done.RootElement.GetRawText()));
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (!receiver.Requests.Any(r => r.Path == "/hooks/rca"))
            {
                Assert.True(DateTime.UtcNow < deadline, "No notification arrived.");
                await Task.Delay(100);
            }

            outputs[$"notification ({notificationFormat})"] = PlantedSecrets.Strings(JsonNode.Parse(receiver.Requests.First(r => r.Path == "/hooks/rca").Body));
        }

        // What the page shows: the trace's display view and the recent-trace summaries.
        outputs["GET /api/traces/{id}?redact=true"] = PlantedSecrets.Strings(JsonNode.Parse(
            await client.GetStringAsync(new Uri($"api/traces/{PlantedSecrets.TraceId}?redact=true", UriKind.Relative))));
        outputs["GET /api/traces"] = PlantedSecrets.Strings(JsonNode.Parse(await client.GetStringAsync(new Uri("api/traces?limit=5", UriKind.Relative))));
        outputs["console log"] = logs.Format(host.Services);

        // The checks looked at something: the model echoed every kind, and the raw trace still holds them all for its readers.
        Assert.Equal(PlantedSecrets.Kinds.Length, PlantedSecrets.Found(PlantedSecrets.AllTexts("\n")).Count);
        var raw = PlantedSecrets.Strings(JsonNode.Parse(await client.GetStringAsync(new Uri($"api/traces/{PlantedSecrets.TraceId}", UriKind.Relative))));
        Assert.Equal(PlantedSecrets.Kinds.Length, PlantedSecrets.Found(raw).Count);
        Assert.Contains("[REDACTED]", outputs["POST /api/analyses"], StringComparison.Ordinal);
        Assert.Contains("[REDACTED]", outputs["chat SSE (conversation)"], StringComparison.Ordinal);
        Assert.Contains("info: ", outputs["console log"], StringComparison.Ordinal);

        foreach (var (where, text) in outputs)
        {
            PlantedSecrets.AssertNone(where, text);
        }
    }

    /// <summary>A model that repeats every secret: in its analysis answer's every field, and streamed in small pieces in chat.</summary>
    private static Task EchoingModel(Microsoft.AspNetCore.Http.HttpContext context, JsonNode request)
    {
        var stream = request["stream"]?.GetValue<bool>() == true;
        if (request["tools"] is not null)
        {
            var reply = "Here is what the trace holds:\n" + PlantedSecrets.AllTexts(" and ") + "\nRotate them.";
            return stream
                ? FakeChatCompletionsServer.WriteStreamAsync(context, reply, 100, 20, "fake-model")
                : FakeChatCompletionsServer.WriteJsonAsync(context, reply, 100, 20, "fake-model");
        }

        var texts = new JsonArray([.. PlantedSecrets.Kinds.Select(k => (JsonNode?)JsonValue.Create(k.Text))]);
        var answer = new JsonObject
        {
            ["summary"] = "The checkout failed because " + PlantedSecrets.AllTexts("; "),
            ["hypotheses"] = new JsonArray(new JsonObject
            {
                ["rank"] = 1, ["title"] = "Credentials rejected: " + PlantedSecrets.AllTexts(", "), ["category"] = "error", ["confidence"] = 0.8,
                ["spanIds"] = new JsonArray("0000000000000010"), ["evidence"] = texts,
                ["remediation"] = "Rotate " + PlantedSecrets.AllTexts(" and "),
            }),
        }.ToJsonString();
        return stream
            ? FakeChatCompletionsServer.WriteStreamAsync(context, answer, 100, 20, "fake-model")
            : FakeChatCompletionsServer.WriteJsonAsync(context, answer, 100, 20, "fake-model");
    }

    /// <summary>Every string of every event of a streamed chat turn, decoded.</summary>
    private static async Task<string> ChatAsync(HttpClient client, object message)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("api/chat", UriKind.Relative)) { Content = JsonContent.Create(message) };
        request.Headers.Accept.ParseAdd("text/event-stream");
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains("event: done", body, StringComparison.Ordinal);
        var text = new StringBuilder();
        var deltas = new StringBuilder();
        foreach (var line in body.Split('\n').Where(l => l.StartsWith("data: ", StringComparison.Ordinal)))
        {
            var data = JsonNode.Parse(line["data: ".Length..]);
            text.Append(PlantedSecrets.Strings(data)).Append('\n');
            if (data?["text"] is JsonValue delta)
            {
                deltas.Append(delta.GetValue<string>());
            }
        }

        // Joined, the deltas must not spell a secret either (one split across two deltas).
        return text.Append(deltas).ToString();
    }

    private static string Alert() => JsonSerializer.Serialize(new
    {
        version = "4",
        status = "firing",
        alerts = new[]
        {
            new
            {
                status = "firing",
                labels = new Dictionary<string, string> { ["alertname"] = "CheckoutErrors " + PlantedSecrets.Kinds[7].Text, ["trace_id"] = PlantedSecrets.TraceId },
                annotations = new Dictionary<string, string> { ["description"] = PlantedSecrets.Kinds[0].Text },
                startsAt = "2026-11-25T08:00:00Z",
                fingerprint = "5ec2e7000000aaaa",
            },
        },
    });

    /// <summary>Keeps each log entry and formats it afterwards with the console formatter the host registered, as the console would.</summary>
    private sealed class FormattedLogs : ILoggerProvider
    {
        private readonly ConcurrentQueue<(LogLevel Level, string Category, EventId Id, string Message, Exception? Exception)> _entries = new();

        public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _entries);

        public string Format(IServiceProvider services)
        {
            var options = services.GetRequiredService<Microsoft.Extensions.Options.IOptions<ConsoleLoggerOptions>>().Value;
            Assert.Equal("opsassistant", options.FormatterName);
            var formatter = services.GetServices<ConsoleFormatter>().Single(f => f.Name == options.FormatterName);
            using var writer = new StringWriter();
            foreach (var (level, category, id, message, exception) in _entries)
            {
                formatter.Write(new LogEntry<string>(level, category, id, message, exception, (s, _) => s), null, writer);
            }

            return writer.ToString();
        }

        public void Dispose()
        {
        }

        private sealed class Logger(string category, ConcurrentQueue<(LogLevel, string, EventId, string, Exception?)> entries) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                entries.Enqueue((logLevel, category, eventId, formatter(state, exception), exception));
        }
    }
}
