using System.Net;
using System.Text;
using System.Text.Json;
using OpsAssistant.Infrastructure.Tests.Sources;

namespace OpsAssistant.Server.Tests.Hardening;

/// <summary>
/// Hostile request fields: trace IDs, search parameters and analysis bodies come back as 400 problems naming the field,
/// never a 500; and no request field can point the service at a URL of the sender's choosing.
/// </summary>
public sealed class RequestValidationTests : IAsyncLifetime
{
    private const string TraceId = "7c4f1a90b3e84d2f9a6c5e8017b3d264";
    private BackendStub _jaeger = null!;
    private BackendStub _elsewhere = null!;
    private OpsAssistantHost _host = null!;
    private HttpClient _client = null!;

    public async ValueTask InitializeAsync()
    {
        _jaeger = await BackendStub.StartAsync();
        _elsewhere = await BackendStub.StartAsync();
        _host = new OpsAssistantHost(new()
        {
            ["OpsAssistant:TraceSource:Kind"] = "Jaeger",
            ["OpsAssistant:TraceSource:Url"] = _jaeger.BaseAddress.ToString(),
            ["OpsAssistant:TraceSource:MaxRetries"] = "0",
            ["OpsAssistant:Webhooks:PollInterval"] = "00:00:00.100",
            ["OpsAssistant:Webhooks:RetryDelay"] = "00:00:00.050",
            ["OpsAssistant:Webhooks:MaxAttempts"] = "1",
        });
        _client = _host.CreateClient();
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        _host.Dispose();
        await _jaeger.DisposeAsync();
        await _elsewhere.DisposeAsync();
    }

    [Theory]
    [InlineData("%20")]
    [InlineData("7c4f1a90b3e84d2f9a6c5e8017b3d2640")]
    [InlineData("7c4f1a90b3e84d2")]
    [InlineData("0x7c4f1a90b3e84d2f9a6c5e8017b3d2")]
    [InlineData("%D9%A3%D9%A3%D9%A3%D9%A3%D9%A3%D9%A3%D9%A3%D9%A3%D9%A3%D9%A3%D9%A3%D9%A3%D9%A3%D9%A3%D9%A3%D9%A3")]
    [InlineData("..%2F..%2F..%2Fetc%2Fpasswd")]
    [InlineData("-1")]
    [InlineData("7c4f1a90b3e84d2f9a6c5e8017b3d264%0D%0AX-Injected:%201")]
    public async Task GetTrace_HostileId_Is400ProblemNamingTraceId(string id)
    {
        using var response = await _client.GetAsync(new Uri("api/traces/" + id, UriKind.Relative));

        await AssertFieldProblemAsync(response, "traceId");
    }

    [Fact]
    public async Task GetTrace_TwoThousandCharacterId_Is400ProblemNamingTraceId()
    {
        using var response = await _client.GetAsync(new Uri("api/traces/" + new string('a', 2_000), UriKind.Relative));

        await AssertFieldProblemAsync(response, "traceId");
    }

    /// <summary>A NUL in the path or a request line past 8 KB never reaches the app: Kestrel refuses it (400 / 414).</summary>
    [Theory]
    [InlineData("api/traces/7c4f1a90b3e84d2f%00a6c5e8017b3d264", HttpStatusCode.BadRequest)]
    [InlineData("api/traces/x", HttpStatusCode.RequestUriTooLong)]
    public async Task GetTrace_IdKestrelRefuses_IsAClientErrorNotAServerError(string path, HttpStatusCode status)
    {
        using var response = await _client.GetAsync(new Uri(path == "api/traces/x" ? "api/traces/" + new string('a', 10_000) : path, UriKind.Relative));

        Assert.Equal(status, response.StatusCode);
    }

    [Theory]
    [InlineData("limit=-1", "limit")]
    [InlineData("limit=1e3", "limit")]
    [InlineData("limit=99999999999999999999", "limit")]
    [InlineData("limit=%00", "limit")]
    [InlineData("limit=0x10", "limit")]
    [InlineData("from=-1", "from")]
    [InlineData("from=99999999999999999999", "from")]
    [InlineData("to=NaN", "to")]
    [InlineData("to=253402300800000", "to")]
    [InlineData("from=%7B%7D", "from")]
    [InlineData("error=1", "error")]
    [InlineData("error=yes", "error")]
    public async Task Search_HostileParameter_Is400ProblemNamingIt(string query, string field)
    {
        using var response = await _client.GetAsync(new Uri("api/traces?" + query, UriKind.Relative));

        await AssertFieldProblemAsync(response, field);
    }

    [Theory]
    [InlineData("{\"traceId\":\"" + TraceId + "\",\"source\":\"http://169.254.169.254/latest/meta-data/\"}", "source")]
    [InlineData("{\"traceId\":\"" + TraceId + "\",\"source\":\"file:///etc/passwd\"}", "source")]
    [InlineData("{\"traceId\":\"" + TraceId + "\",\"source\":\"../../etc/passwd\"}", "source")]
    [InlineData("{\"traceId\":\"" + TraceId + "\",\"source\":\"\"}", "source")]
    [InlineData("{\"traceId\":\"http://169.254.169.254/trace/" + TraceId + "\"}", "traceId")]
    [InlineData("{\"traceId\":\"" + TraceId + "?x=1\"}", "traceId")]
    [InlineData("{\"traceId\":null}", "traceId")]
    [InlineData("{\"traceId\":\"\"}", "traceId")]
    public async Task PostAnalysis_HostileField_Is400ProblemNamingItAndFetchesNothing(string body, string field)
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await _client.PostAsync(new Uri("api/analyses", UriKind.Relative), content);

        await AssertFieldProblemAsync(response, field);
        Assert.Empty(_jaeger.Requests);
        Assert.Empty(_elsewhere.Requests);
    }

    [Theory]
    [InlineData("{\"traceId\":123}")]
    [InlineData("{\"traceId\":{\"$ne\":1}}")]
    [InlineData("{\"traceId\":[\"" + TraceId + "\"]}")]
    [InlineData("{\"traceId\":\"" + TraceId + "\",\"source\":5}")]
    [InlineData("[]")]
    [InlineData("\"" + TraceId + "\"")]
    [InlineData("not json")]
    [InlineData("{\"traceId\":\"" + TraceId + "\"")]
    [InlineData("{\"traceId\":\"\\uD800\"}")]
    public async Task PostAnalysis_MalformedOrWrongTypedBody_Is400Problem(string body)
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await _client.PostAsync(new Uri("api/analyses", UriKind.Relative), content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain("   at ", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(_jaeger.Requests);
    }

    /// <summary>
    /// An alert's links are mined for a trace ID only: the ID is then fetched from the configured backend, never from the
    /// link's host (a cloud metadata address, or any other server the sender names).
    /// </summary>
    [Fact]
    public async Task Webhook_TraceLinkToAnotherHost_FetchesTheIdFromTheConfiguredBackendOnly()
    {
        var body = $$$"""
            {"alerts":[{"status":"firing","labels":{"alertname":"Latency"},"startsAt":"2025-08-06T17:10:00Z","fingerprint":"ssrf-1",
              "annotations":{"dashboard":"http://169.254.169.254/latest/meta-data/trace/{{{TraceId}}}",
                             "runbook":"{{{_elsewhere.BaseAddress}}}trace/{{{TraceId}}}?traceId={{{TraceId}}}"}}]}
            """;
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await _client.PostAsync(new Uri("webhooks/alertmanager", UriKind.Relative), content);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        using var accepted = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var id = accepted.RootElement.GetProperty("analyses")[0].GetProperty("id").GetString();

        // The 404 from the stub ends the analysis as failed; the guard counts polls, it does not time anything.
        string? status = null;
        for (var poll = 0; poll < 300 && status is not ("done" or "failed"); poll++)
        {
            await Task.Delay(100);
            using var current = JsonDocument.Parse(await _client.GetStringAsync(new Uri($"api/analyses/{id}", UriKind.Relative)));
            status = current.RootElement.GetProperty("status").GetString();
        }

        Assert.Equal("failed", status);
        Assert.Empty(_elsewhere.Requests);
        Assert.NotEmpty(_jaeger.Requests);
        Assert.All(_jaeger.Requests, r => Assert.EndsWith("/" + TraceId, r.Path, StringComparison.Ordinal));
    }

    private static async Task AssertFieldProblemAsync(HttpResponseMessage response, string field)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(text);
        Assert.True(problem.RootElement.GetProperty("errors").TryGetProperty(field, out _), text);
    }
}
