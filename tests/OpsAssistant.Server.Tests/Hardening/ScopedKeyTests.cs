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
