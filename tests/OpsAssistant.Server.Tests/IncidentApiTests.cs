using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OpsAssistant.Core.Formats;
using OpsAssistant.Core.Model;
using Attribute = OpsAssistant.Core.Model.Attribute;

namespace OpsAssistant.Server.Tests;

/// <summary>
/// Incidents through a real Kestrel host: <c>POST /api/incidents</c> over ingested traces, <c>GET /api/incidents/{id}</c>, and
/// an alert that names a service but no trace becoming a queued incident the worker completes.
/// </summary>
public sealed class IncidentApiTests : IDisposable
{
    private readonly OpsAssistantHost _host = new(new() { ["OpsAssistant:Incidents:PollInterval"] = "00:00:00.200" });

    public void Dispose() => _host.Dispose();

    [Fact]
    public async Task PostIncident_BadVersionInTheWindow_NamesItAndLinksAnalysesThatExist()
    {
        using var client = Client();
        var alertStart = DateTimeOffset.UtcNow.AddMinutes(-10);
        await IngestRolloutAsync(client, alertStart);

        using var response = await client.PostAsJsonAsync("api/incidents", new { service = "checkout", from = alertStart.ToString("O"), to = alertStart.AddMinutes(5).ToString("O") });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = body.RootElement;
        Assert.Equal("done", root.GetProperty("status").GetString());
        Assert.Equal(40, root.GetProperty("counts").GetProperty("traces").GetInt32());
        Assert.Equal(40, root.GetProperty("previousCounts").GetProperty("traces").GetInt32());
        var top = root.GetProperty("changes")[0];
        Assert.Equal(("service.version", "2.0"), (top.GetProperty("dimension").GetString(), top.GetProperty("value").GetString()));
        Assert.StartsWith("service.version=2.0", root.GetProperty("summary").GetString(), StringComparison.Ordinal);
        var exemplar = root.GetProperty("exemplars")[0];
        Assert.Equal("exemplar", exemplar.GetProperty("role").GetString());
        using var analysis = JsonDocument.Parse(await client.GetStringAsync(new Uri(exemplar.GetProperty("analysisLink").GetString()!.TrimStart('/'), UriKind.Relative)));
        Assert.Equal(exemplar.GetProperty("traceId").GetString(), analysis.RootElement.GetProperty("traceId").GetString());
        Assert.Equal("incident", analysis.RootElement.GetProperty("origin").GetString());

        var id = root.GetProperty("incidentId").GetString()!;
        using var stored = JsonDocument.Parse(await client.GetStringAsync(new Uri($"api/incidents/{id}", UriKind.Relative)));
        Assert.Equal(root.GetProperty("summary").GetString(), stored.RootElement.GetProperty("summary").GetString());
    }

    [Theory]
    [InlineData("""{"from":"2026-01-01T00:00:00Z"}""", "service")]
    [InlineData("""{"service":"checkout","from":"yesterday"}""", "from")]
    [InlineData("""{"service":"checkout","to":"2026-01-01T00:00:00Z","from":"2026-01-01T01:00:00Z"}""", "to")]
    [InlineData("""{"service":"checkout","duration":"PT30D"}""", "duration")]
    [InlineData("""{"service":"checkout","duration":"soon"}""", "duration")]
    [InlineData("""{"service":"checkout","from":"2999-01-01T00:00:00Z","duration":"PT5M"}""", "from")]
    public async Task PostIncident_InvalidField_Is400ValidationProblemNamingIt(string json, string field)
    {
        using var client = Client();
        using var content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");

        using var response = await client.PostAsync(new Uri("api/incidents", UriKind.Relative), content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.True(problem.RootElement.GetProperty("errors").TryGetProperty(field, out _), await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task GetIncident_Unknown_Is404Problem()
    {
        using var client = Client();

        using var response = await client.GetAsync(new Uri("api/incidents/inc-unknown", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task AlertWithServiceButNoTraceId_BecomesAnIncidentTheWorkerCompletes()
    {
        using var client = Client();
        var alertStart = DateTimeOffset.UtcNow.AddMinutes(-1);
        await IngestRolloutAsync(client, alertStart.AddMinutes(-10));
        var alert = $$"""
            {"status":"firing","alerts":[{"status":"firing","labels":{"alertname":"CheckoutLatency","service":"checkout"},
              "startsAt":"{{alertStart:O}}","fingerprint":"ee11bb22cc33dd44"}]}
            """;

        using var response = await PostJsonAsync(client, "webhooks/alertmanager", alert);
        using var again = await PostJsonAsync(client, "webhooks/alertmanager", alert);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var incident = body.RootElement.GetProperty("incidents")[0];
        var id = incident.GetProperty("id").GetString()!;
        Assert.Equal("checkout", incident.GetProperty("service").GetString());
        using var againBody = JsonDocument.Parse(await again.Content.ReadAsStringAsync());
        Assert.Equal(id, againBody.RootElement.GetProperty("incidents")[0].GetProperty("id").GetString());

        using var done = await WaitForIncidentAsync(client, incident.GetProperty("link").GetString()!);
        var root = done.RootElement;
        Assert.Equal(("alertmanager", "CheckoutLatency"), (root.GetProperty("origin").GetString(), root.GetProperty("subject").GetString()));
        Assert.Equal(1, root.GetProperty("attempts").GetInt32());
        Assert.Equal("service.version", root.GetProperty("changes")[0].GetProperty("dimension").GetString());
        var window = root.GetProperty("window");
        Assert.Equal(alertStart.AddMinutes(-15), window.GetProperty("from").GetDateTimeOffset(), TimeSpan.FromMilliseconds(1));
    }

    [Fact]
    public async Task OpenApi_DescribesTheIncidentRoutesWithTheResultSchema()
    {
        using var client = Client();

        using var document = JsonDocument.Parse(await client.GetStringAsync(new Uri("openapi/v1.json", UriKind.Relative)));

        var paths = document.RootElement.GetProperty("paths");
        Assert.True(paths.GetProperty("/api/incidents").TryGetProperty("post", out _));
        Assert.True(paths.GetProperty("/api/incidents/{id}").TryGetProperty("get", out _));
        var schema = document.RootElement.GetProperty("components").GetProperty("schemas").GetProperty("IncidentResult").GetProperty("properties");
        Assert.True(schema.TryGetProperty("changes", out _));
        Assert.True(schema.TryGetProperty("exemplars", out _));
    }

    private HttpClient Client() => new() { BaseAddress = _host.BaseAddress };

    private static async Task<HttpResponseMessage> PostJsonAsync(HttpClient client, string path, string json)
    {
        using var content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        return await client.PostAsync(new Uri(path, UriKind.Relative), content);
    }

    /// <summary>
    /// 40 healthy checkout traces (version 1.0) five to ten minutes before <paramref name="alertStart"/>, and 40 in the five
    /// minutes after it where every other one runs version 2.0 and takes eight times as long.
    /// </summary>
    private static async Task IngestRolloutAsync(HttpClient client, DateTimeOffset alertStart)
    {
        var spans = new List<Span>();
        for (var n = 0; n < 80; n++)
        {
            var inAlert = n >= 40;
            var bad = inAlert && n % 2 == 0;
            var start = (inAlert ? alertStart : alertStart.AddMinutes(-5)).AddSeconds(n % 40 * 7);
            var startNano = (start - DateTimeOffset.UnixEpoch).Ticks * 100;
            spans.Add(new Span
            {
                TraceId = (0x100 + n).ToString("x32", CultureInfo.InvariantCulture),
                SpanId = (0x100 + n).ToString("x16", CultureInfo.InvariantCulture),
                Name = "POST /pay",
                Kind = SpanKind.Server,
                StartUnixNano = startNano,
                EndUnixNano = startNano + ((bad ? 400 : 50) + (n % 5)) * 1_000_000L,
                Resource = new Resource("checkout", [new Attribute("service.name", "checkout"), new Attribute("service.version", bad ? "2.0" : "1.0")]),
            });
        }

        using var content = new ByteArrayContent(OtlpJsonWriter.ToUtf8Bytes(spans));
        content.Headers.ContentType = new("application/json");
        using var response = await client.PostAsync(new Uri("v1/traces", UriKind.Relative), content);
        response.EnsureSuccessStatusCode();
    }

    private static async Task<JsonDocument> WaitForIncidentAsync(HttpClient client, string link)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var document = JsonDocument.Parse(await client.GetStringAsync(new Uri(link.TrimStart('/'), UriKind.Relative)));
            var status = document.RootElement.GetProperty("status").GetString();
            if (status == "done")
            {
                return document;
            }

            document.Dispose();
            Assert.True(DateTime.UtcNow < deadline, $"Incident {link} is still {status}.");
            await Task.Delay(100);
        }
    }
}
