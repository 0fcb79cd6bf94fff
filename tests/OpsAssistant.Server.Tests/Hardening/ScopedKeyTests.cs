using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace OpsAssistant.Server.Tests.Hardening;

/// <summary>
/// Scoped keys (<c>OpsAssistant:Security:Keys</c>): the key every OTLP exporter holds can send spans and nothing else; a read
/// key reads but cannot change sampling; unscoped <c>ApiKeys</c> still grant everything. Anonymous strategy reads no longer
/// say which services are under investigation, and an override's operator text cannot pass for a key fingerprint.
/// </summary>
public sealed class ScopedKeyTests : IDisposable
{
    private const string Everything = "all-scopes-key-0123456789";
    private const string IngestOnly = "ingest-only-key-0123456789";
    private const string ReadOnly = "read-only-key-0123456789";
    private const string Operator = "operate-key-0123456789";
    private const string WebhookToken = "webhook-token-0123456789";
    private const string Trace = """{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"checkout"}}]},"scopeSpans":[{"spans":[{"traceId":"4bf92f3577b34da6a3ce929d0e0e4736","spanId":"00f067aa0ba902b7","name":"GET /","startTimeUnixNano":"1764000000000000000","endTimeUnixNano":"1764000001000000000"}]}]}]}""";

    private readonly OpsAssistantHost _host = new(new()
    {
        ["OpsAssistant:Security:ApiKeys:0"] = Everything,
        ["OpsAssistant:Security:Keys:0:Key"] = IngestOnly,
        ["OpsAssistant:Security:Keys:0:Scopes:0"] = "ingest",
        ["OpsAssistant:Security:Keys:1:Key"] = ReadOnly,
        ["OpsAssistant:Security:Keys:1:Scopes:0"] = "read",
        ["OpsAssistant:Security:Keys:2:Key"] = Operator,
        ["OpsAssistant:Security:Keys:2:Scopes:0"] = "read",
        ["OpsAssistant:Security:Keys:2:Scopes:1"] = "operate",
        ["OpsAssistant:Security:WebhookToken"] = WebhookToken,
    });

    public void Dispose() => _host.Dispose();

    [Theory]
    [InlineData(IngestOnly, "POST", "v1/traces", HttpStatusCode.OK)]
    [InlineData(IngestOnly, "GET", "api/traces", HttpStatusCode.Forbidden)]
    [InlineData(IngestOnly, "GET", "api/traces/4bf92f3577b34da6a3ce929d0e0e4736", HttpStatusCode.Forbidden)]
    [InlineData(IngestOnly, "GET", "api/sampling/overrides", HttpStatusCode.Forbidden)]
    [InlineData(IngestOnly, "POST", "api/sampling/overrides", HttpStatusCode.Forbidden)]
    [InlineData(IngestOnly, "POST", "api/chat", HttpStatusCode.Forbidden)]
    [InlineData(ReadOnly, "GET", "api/traces", HttpStatusCode.OK)]
    [InlineData(ReadOnly, "POST", "v1/traces", HttpStatusCode.Forbidden)]
    [InlineData(ReadOnly, "POST", "api/sampling/overrides", HttpStatusCode.Forbidden)]
    [InlineData(ReadOnly, "POST", "api/chat", HttpStatusCode.Forbidden)]
    [InlineData(Operator, "POST", "api/sampling/overrides", HttpStatusCode.Created)]
    [InlineData(Operator, "POST", "v1/traces", HttpStatusCode.Forbidden)]
    [InlineData(Everything, "POST", "v1/traces", HttpStatusCode.OK)]
    [InlineData(Everything, "GET", "api/traces", HttpStatusCode.OK)]
    [InlineData(Everything, "POST", "api/sampling/overrides", HttpStatusCode.Created)]
    [InlineData("not-a-configured-key-0123", "GET", "api/traces", HttpStatusCode.Unauthorized)]
    [InlineData(null, "POST", "v1/traces", HttpStatusCode.Unauthorized)]
    public async Task Route_KeyWithScopes_IsAllowedOnlyWhatItsScopesCover(string? key, string method, string path, HttpStatusCode expected)
    {
        using var client = _host.CreateClient();
        using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(path, UriKind.Relative));
        if (method == "POST")
        {
            request.Content = new StringContent(path switch
            {
                "v1/traces" => Trace,
                "api/chat" => """{"message":"hello"}""",
                _ => """{"service":"checkout","rate":1,"ttl":"30m","reason":"INC-7"}""",
            }, Encoding.UTF8, "application/json");
        }

        if (key is not null)
        {
            request.Headers.Add("X-Api-Key", key);
        }

        using var response = await client.SendAsync(request);

        Assert.Equal(expected, response.StatusCode);
        if (expected is HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized)
        {
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
    }

    [Fact]
    public async Task StrategiesFile_AnonymousCaller_DoesNotNameTheServiceUnderInvestigation()
    {
        using var client = _host.CreateClient();
        using (var created = new HttpRequestMessage(HttpMethod.Post, new Uri("api/sampling/overrides", UriKind.Relative)))
        {
            created.Content = new StringContent("""{"service":"payment-secret-project","rate":1,"ttl":"30m","reason":"INC-9"}""", Encoding.UTF8, "application/json");
            created.Headers.Add("X-Api-Key", Operator);
            Assert.Equal(HttpStatusCode.Created, (await client.SendAsync(created)).StatusCode);
        }

        var anonymous = await client.GetStringAsync(new Uri("api/sampling/strategies", UriKind.Relative));
        using var keyed = new HttpRequestMessage(HttpMethod.Get, new Uri("api/sampling/strategies", UriKind.Relative));
        keyed.Headers.Add("X-Api-Key", ReadOnly);
        var withKey = await (await client.SendAsync(keyed)).Content.ReadAsStringAsync();
        var named = await client.GetStringAsync(new Uri("api/sampling?service=payment-secret-project", UriKind.Relative));

        Assert.DoesNotContain("payment-secret-project", anonymous, StringComparison.Ordinal);
        Assert.Contains("payment-secret-project", withKey, StringComparison.Ordinal);
        Assert.Equal(1.0, JsonNode.Parse(named)!["probabilisticSampling"]!["samplingRate"]!.GetValue<double>());
    }

    /// <summary>
    /// What an anonymous sampler needs during an incident is the raised rate; which alert raised it, why, and the override
    /// behind it are for callers with a key (<c>GET /api/sampling/overrides</c>).
    /// </summary>
    [Fact]
    public async Task ServiceStrategy_AnonymousCallerDuringAnAlertsRaise_GetsTheRaisedRateAndNothingOfTheOverride()
    {
        using var client = _host.CreateClient();
        using (var alert = new HttpRequestMessage(HttpMethod.Post, new Uri("webhooks/alertmanager", UriKind.Relative)))
        {
            alert.Content = new StringContent("""
                {"alerts":[{"status":"firing","labels":{"alertname":"PaymentDbFailover","service":"payment"},"annotations":{"summary":"primary lost"},
                "startsAt":"2026-11-25T09:00:00Z","fingerprint":"5ec2e7f1a9b0c3d4"}]}
                """, Encoding.UTF8, "application/json");
            alert.Headers.Add("Authorization", "Bearer " + WebhookToken);
            Assert.Equal(HttpStatusCode.Accepted, (await client.SendAsync(alert)).StatusCode);
        }

        using var audit = new HttpRequestMessage(HttpMethod.Get, new Uri("api/sampling/overrides?active=true", UriKind.Relative));
        audit.Headers.Add("X-Api-Key", ReadOnly);
        var raised = JsonNode.Parse(await (await client.SendAsync(audit)).Content.ReadAsStringAsync())!.AsArray().Single()!;
        var anonymous = await client.GetStringAsync(new Uri("api/sampling?service=payment", UriKind.Relative));

        var strategy = JsonNode.Parse(anonymous)!.AsObject();
        Assert.Equal(["strategyType", "probabilisticSampling", "operationSampling"], strategy.Select(p => p.Key));
        Assert.Equal(1.0, strategy["probabilisticSampling"]!["samplingRate"]!.GetValue<double>());
        foreach (var detail in new[] { raised["id"]!.GetValue<string>(), "5ec2e7f1a9b0c3d4", "PaymentDbFailover", "alert", "firing" })
        {
            Assert.DoesNotContain(detail, anonymous, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Theory]
    [InlineData("bob (key 3fa4c2d1)")]
    [InlineData("bob) (key 3fa4c2d1")]
    [InlineData("bob\nkey")]
    public async Task CreateOverride_OperatorTextShapedLikeAFingerprint_Is400NamingTheField(string name)
    {
        using var client = _host.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("api/sampling/overrides", UriKind.Relative))
        {
            Content = new StringContent(new JsonObject { ["service"] = "checkout", ["rate"] = 1, ["ttl"] = "30m", ["operator"] = name }.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-Api-Key", Operator);

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("operator", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenApiDocument_DeclaresTheApiKeySecurityScheme()
    {
        using var client = _host.CreateClient();

        var document = JsonNode.Parse(await client.GetStringAsync(new Uri("openapi/v1.json", UriKind.Relative)))!;

        Assert.Equal("X-Api-Key", document["components"]!["securitySchemes"]!["ApiKey"]!["name"]!.GetValue<string>());
        Assert.Equal("bearer", document["components"]!["securitySchemes"]!["Bearer"]!["scheme"]!.GetValue<string>());
        Assert.NotEmpty(document["security"]!.AsArray());
    }
}
