using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;

namespace OpsAssistant.Server.Tests;

/// <summary>The sampling API through a real host: strategies in the Jaeger remote-sampling shape, overrides, the audit, the guard rails.</summary>
public sealed class SamplingApiTests : IDisposable
{
    private const string ApiKey = "sampling-key-0123456789";
    private static readonly DateTimeOffset Start = new(2026, 11, 25, 9, 0, 0, TimeSpan.Zero);
    private readonly List<OpsAssistantHost> _hosts = [];
    private readonly MutableClock _clock = new(Start);

    public void Dispose()
    {
        foreach (var host in _hosts)
        {
            host.Dispose();
        }
    }

    [Fact]
    public async Task GetStrategy_UnconfiguredService_ServesTheDefaultRateInTheJaegerShape()
    {
        using var client = Client();

        using var strategy = JsonDocument.Parse(await client.GetStringAsync("/api/sampling?service=checkout"));

        var root = strategy.RootElement;
        Assert.Equal("PROBABILISTIC", root.GetProperty("strategyType").GetString());
        Assert.Equal(0.01, root.GetProperty("probabilisticSampling").GetProperty("samplingRate").GetDouble());
        var operations = root.GetProperty("operationSampling");
        Assert.Equal(0.01, operations.GetProperty("defaultSamplingProbability").GetDouble());
        Assert.Equal(0, operations.GetProperty("defaultLowerBoundTracesPerSecond").GetDouble());
        Assert.Equal(0, operations.GetProperty("perOperationStrategies").GetArrayLength());
    }

    [Fact]
    public async Task GetStrategy_ConfiguredServiceAndOperations_ServesThemPerOperation()
    {
        using var client = Client(new()
        {
            ["OpsAssistant:Sampling:Services:checkout:Rate"] = "0.1",
            ["OpsAssistant:Sampling:Services:checkout:Operations:GET /health"] = "0",
            ["OpsAssistant:Sampling:Services:checkout:Operations:POST /orders"] = "0.5",
        });

        using var strategy = JsonDocument.Parse(await client.GetStringAsync("/api/sampling?service=checkout"));

        Assert.Equal(0.1, strategy.RootElement.GetProperty("probabilisticSampling").GetProperty("samplingRate").GetDouble());
        var perOperation = strategy.RootElement.GetProperty("operationSampling").GetProperty("perOperationStrategies");
        Assert.Equal(["GET /health:0", "POST /orders:0.5"], perOperation.EnumerateArray()
            .Select(o => $"{o.GetProperty("operation").GetString()}:{o.GetProperty("probabilisticSampling").GetProperty("samplingRate").GetDouble()}"));
    }

    [Fact]
    public async Task GetStrategiesFile_ListsConfiguredAndOverriddenServicesInJaegerStrategiesFileFormat()
    {
        using var client = Client(new()
        {
            ["OpsAssistant:Sampling:Services:checkout:Rate"] = "0.1",
            ["OpsAssistant:Sampling:Services:checkout:Operations:GET /health"] = "0",
        });
        using (var created = await client.PostAsJsonAsync("/api/sampling/overrides", new { service = "payment", rate = 1.0 }))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        using var document = JsonDocument.Parse(await client.GetStringAsync("/api/sampling/strategies"));

        var root = document.RootElement;
        Assert.Equal("""{"type":"probabilistic","param":0.01}""", root.GetProperty("default_strategy").GetRawText());
        Assert.Equal(
            """[{"service":"checkout","type":"probabilistic","param":0.1,"operation_strategies":[{"operation":"GET /health","type":"probabilistic","param":0}]},{"service":"payment","type":"probabilistic","param":1}]""",
            root.GetProperty("service_strategies").GetRawText());
    }

    [Fact]
    public async Task PostOverride_ThenDelete_ServesTheOverrideRateThenTheDefaultAgainAndAuditsBoth()
    {
        using var client = Client(new() { ["OpsAssistant:Sampling:Services:checkout:Operations:GET /health"] = "0" });

        using var created = await client.PostAsJsonAsync("/api/sampling/overrides", new { service = "checkout", rate = 1.0, ttl = "30m", reason = "INC-7", @operator = "alice" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        Assert.Equal(1.0, await RateAsync(client, "checkout"));
        Assert.Equal(1.0, await OperationRateAsync(client, "checkout", "GET /health"));
        Assert.Equal(0.01, await RateAsync(client, "payment"));

        using var deleted = await client.DeleteAsync($"/api/sampling/overrides/{id}");
        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        Assert.Equal(0.01, await RateAsync(client, "checkout"));
        Assert.Equal(0, await OperationRateAsync(client, "checkout", "GET /health"));

        var audit = await client.GetFromJsonAsync<JsonElement>("/api/sampling/overrides");
        var entry = Assert.Single(audit.EnumerateArray());
        Assert.Equal("ended", entry.GetProperty("status").GetString());
        Assert.Equal("operator alice (no API key)", entry.GetProperty("createdBy").GetString());
        Assert.Equal("operator (no API key)", entry.GetProperty("endedBy").GetString());
        Assert.Equal("INC-7", entry.GetProperty("reason").GetString());
        Assert.Equal(Start.AddMinutes(30), entry.GetProperty("expiresAt").GetDateTimeOffset());
        Assert.Equal(0, (await client.GetFromJsonAsync<JsonElement>("/api/sampling/overrides?active=true")).GetArrayLength());
    }

    [Fact]
    public async Task Override_PastItsTtl_IsNoLongerServedAndShowsAsExpired()
    {
        using var client = Client();
        using var created = await client.PostAsJsonAsync("/api/sampling/overrides", new { service = "checkout", rate = 0.5, ttl = "00:10:00" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        _clock.Now = Start.AddMinutes(9);
        Assert.Equal(0.5, await RateAsync(client, "checkout"));
        _clock.Now = Start.AddMinutes(10);
        Assert.Equal(0.01, await RateAsync(client, "checkout"));
        var entry = Assert.Single((await client.GetFromJsonAsync<JsonElement>("/api/sampling/overrides")).EnumerateArray());
        Assert.Equal("expired", entry.GetProperty("status").GetString());
    }

    [Theory]
    [InlineData("""{"service":"check out","rate":1}""", "service")]
    [InlineData("""{"service":"x' OR 1=1 --","rate":1}""", "service")]
    [InlineData("""{"rate":1}""", "service")]
    [InlineData("""{"service":"checkout","rate":1.5}""", "rate")]
    [InlineData("""{"service":"checkout","rate":-0.1}""", "rate")]
    [InlineData("""{"service":"checkout"}""", "rate")]
    [InlineData("""{"service":"checkout","rate":1,"ttl":"soon"}""", "ttl")]
    [InlineData("""{"service":"checkout","rate":1,"ttl":"30d"}""", "ttl")]
    [InlineData("""{"service":"checkout","rate":1,"until":"2020-01-01T00:00:00Z"}""", "until")]
    public async Task PostOverride_MalformedField_Is400ProblemNamingTheField(string body, string field)
    {
        using var client = Client();

        using var response = await client.PostAsync("/api/sampling/overrides", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"errors should name '{field}': {problem}");
        Assert.Equal(0, (await client.GetFromJsonAsync<JsonElement>("/api/sampling/overrides")).GetArrayLength());
    }

    [Theory]
    [InlineData("")]
    [InlineData("?service=")]
    [InlineData("?service=a%20b")]
    public async Task GetStrategy_MissingOrMalformedService_Is400ProblemNamingService(string query)
    {
        using var client = Client();

        using var response = await client.GetAsync("/api/sampling" + query);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("service", out _));
    }

    [Fact]
    public async Task PostOverride_PastMaxFullServices_Is409NamingTheLimitWhileLowerRatesStillPass()
    {
        using var client = Client(new() { ["OpsAssistant:Sampling:MaxFullServices"] = "2" });
        foreach (var service in new[] { "checkout", "payment" })
        {
            using var ok = await client.PostAsJsonAsync("/api/sampling/overrides", new { service, rate = 1.0 });
            Assert.Equal(HttpStatusCode.Created, ok.StatusCode);
        }

        using var refused = await client.PostAsJsonAsync("/api/sampling/overrides", new { service = "cart", rate = 1.0 });
        using var lower = await client.PostAsJsonAsync("/api/sampling/overrides", new { service = "cart", rate = 0.2 });

        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("OpsAssistant:Sampling:MaxFullServices", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Created, lower.StatusCode);
        Assert.Equal(0.2, await RateAsync(client, "cart"));
    }

    [Fact]
    public async Task Overrides_SurviveAHostRestartOnTheSameDatabase()
    {
        var directory = Directory.CreateTempSubdirectory("opsassistant-sampling-restart-").FullName;
        var shared = new Dictionary<string, string?> { ["OpsAssistant:Storage:Path"] = Path.Combine(directory, "traces.db") };
        try
        {
            using (var first = Client(shared))
            {
                using var created = await first.PostAsJsonAsync("/api/sampling/overrides", new { service = "checkout", rate = 1.0, ttl = "2h" });
                Assert.Equal(HttpStatusCode.Created, created.StatusCode);
                await _hosts[^1].DisposeAsync();
            }

            using var restarted = Client(shared);
            Assert.Equal(1.0, await RateAsync(restarted, "checkout"));
            var entry = Assert.Single((await restarted.GetFromJsonAsync<JsonElement>("/api/sampling/overrides?active=true")).EnumerateArray());
            Assert.Equal("checkout", entry.GetProperty("service").GetString());
        }
        finally
        {
            Dispose();
            _hosts.Clear();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task ApiKeys_StrategyReadIsAnonymousButOverridesNeedTheKeyAndRecordWhichKey()
    {
        using var client = Client(new() { ["OpsAssistant:Security:ApiKeys:0"] = ApiKey });

        using var strategy = await client.GetAsync("/api/sampling?service=checkout");
        using var strategies = await client.GetAsync("/api/sampling/strategies");
        using var list = await client.GetAsync("/api/sampling/overrides");
        using var anonymous = await client.PostAsJsonAsync("/api/sampling/overrides", new { service = "checkout", rate = 1.0 });
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/sampling/overrides") { Content = JsonContent.Create(new { service = "checkout", rate = 1.0 }) };
        request.Headers.Add("X-Api-Key", ApiKey);
        using var keyed = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, strategy.StatusCode);
        Assert.Equal(HttpStatusCode.OK, strategies.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, list.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.Created, keyed.StatusCode);
        var createdBy = (await keyed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("createdBy").GetString()!;
        Assert.Matches("^operator \\(key [0-9a-f]{8}\\)$", createdBy);
        Assert.DoesNotContain(ApiKey, createdBy, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ApiKeys_AnonymousStrategiesTurnedOff_StrategyReadNeedsTheKey()
    {
        using var client = Client(new()
        {
            ["OpsAssistant:Security:ApiKeys:0"] = ApiKey,
            ["OpsAssistant:Sampling:AllowAnonymousStrategies"] = "false",
        });

        using var response = await client.GetAsync("/api/sampling?service=checkout");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Theory]
    [InlineData("OpsAssistant:Sampling:DefaultRate", "1.5", "OpsAssistant:Sampling:DefaultRate")]
    [InlineData("OpsAssistant:Sampling:MaxFullServices", "0", "OpsAssistant:Sampling:MaxFullServices")]
    [InlineData("OpsAssistant:Sampling:Services:checkout:Operations:GET /x", "2", "OpsAssistant:Sampling:Services:checkout:Operations:GET /x")]
    [InlineData("OpsAssistant:Sampling:Services:bad name:Rate", "0.5", "OpsAssistant:Sampling:Services:bad name")]
    public void Start_InvalidSamplingConfiguration_FailsNamingTheKey(string key, string value, string named)
    {
        var refusal = StartupCheck.Refusal(new() { [key] = value });

        Assert.NotNull(refusal);
        Assert.Contains(named, refusal, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Chat_SampleCommand_RaisesTheServiceAndTheAuditNamesTheConversation()
    {
        using var client = Client();

        using var response = await client.PostAsJsonAsync("/api/chat", new { conversationId = "conv-42", message = "sample checkout fully for 30 minutes" });

        response.EnsureSuccessStatusCode();
        Assert.Equal(1.0, await RateAsync(client, "checkout"));
        var entry = Assert.Single((await client.GetFromJsonAsync<JsonElement>("/api/sampling/overrides?active=true")).EnumerateArray());
        Assert.Equal("chat conv-42", entry.GetProperty("createdBy").GetString());
        Assert.Equal(Start.AddMinutes(30), entry.GetProperty("expiresAt").GetDateTimeOffset());
    }

    [Fact]
    public async Task OverrideChanges_AreCountedByChangeAndCause()
    {
        var seen = new ConcurrentQueue<string>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == "OpsAssistant" && instrument.Name == "opsassistant.sampling.override_changes")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            var named = new Dictionary<string, object?>();
            foreach (var tag in tags)
            {
                named[tag.Key] = tag.Value;
            }

            seen.Enqueue($"{value} {named["opsassistant.sampling.change"]} {named["opsassistant.sampling.cause"]}");
        });
        listener.Start();
        using var client = Client();

        using var created = await client.PostAsJsonAsync("/api/sampling/overrides", new { service = "checkout", rate = 1.0 });
        using var rejected = await client.PostAsJsonAsync("/api/sampling/overrides", new { service = "checkout", rate = 2.0 });
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
        using var ended = await client.DeleteAsync($"/api/sampling/overrides/{id}");

        Assert.Equal(["1 created operator", "1 rejected operator", "1 ended operator"], seen);
    }

    [Fact]
    public async Task OpenApi_ListsTheSamplingRoutes()
    {
        using var client = Client();

        using var document = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json"));

        var paths = document.RootElement.GetProperty("paths");
        Assert.True(paths.GetProperty("/api/sampling").TryGetProperty("get", out _));
        Assert.True(paths.GetProperty("/api/sampling/overrides").TryGetProperty("post", out _));
        Assert.True(paths.GetProperty("/api/sampling/overrides").TryGetProperty("get", out _));
        Assert.True(paths.GetProperty("/api/sampling/overrides/{id}").TryGetProperty("delete", out _));
    }

    internal static async Task<double> RateAsync(HttpClient client, string service) =>
        (await client.GetFromJsonAsync<JsonElement>($"/api/sampling?service={service}")).GetProperty("probabilisticSampling").GetProperty("samplingRate").GetDouble();

    private static async Task<double> OperationRateAsync(HttpClient client, string service, string operation) =>
        (await client.GetFromJsonAsync<JsonElement>($"/api/sampling?service={service}")).GetProperty("operationSampling").GetProperty("perOperationStrategies")
            .EnumerateArray().Single(o => o.GetProperty("operation").GetString() == operation).GetProperty("probabilisticSampling").GetProperty("samplingRate").GetDouble();

    private HttpClient Client(Dictionary<string, string?>? settings = null)
    {
        var host = new OpsAssistantHost(settings, services => services.AddSingleton<TimeProvider>(_clock));
        _hosts.Add(host);
        return new HttpClient { BaseAddress = host.BaseAddress };
    }
}
