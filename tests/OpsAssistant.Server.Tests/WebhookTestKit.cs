using System.Text.Json;
using OpsAssistant.Core.Formats;

namespace OpsAssistant.Server.Tests;

/// <summary>What the webhook tests share: storing a fixture trace through OTLP ingest, and waiting for an analysis's status.</summary>
internal static class WebhookTestKit
{
    /// <summary>Stores a trace from <c>Fixtures/</c> through <c>POST /v1/traces</c>, as an instrumented service would.</summary>
    public static async Task IngestAsync(HttpClient client, string fixture = "sibling_errors.json")
    {
        var trace = (await TraceReader.ReadFileAsync(Path.Combine(AppContext.BaseDirectory, "Fixtures", fixture))).Traces[0];
        using var content = new ByteArrayContent(OtlpJsonWriter.ToUtf8Bytes(trace.Spans));
        content.Headers.ContentType = new("application/json");
        using var response = await client.PostAsync(new Uri("v1/traces", UriKind.Relative), content);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>The analysis once it has <paramref name="status"/>, polled through the API; fails after 30 s.</summary>
    public static async Task<JsonDocument> WaitForAnalysisAsync(HttpClient client, string id, string status)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var document = JsonDocument.Parse(await client.GetStringAsync(new Uri($"api/analyses/{id}", UriKind.Relative)));
            var current = document.RootElement.GetProperty("status").GetString();
            if (current == status)
            {
                return document;
            }

            document.Dispose();
            Assert.True(DateTime.UtcNow < deadline, $"Analysis {id} is still {current}, not {status}.");
            await Task.Delay(100);
        }
    }
}
