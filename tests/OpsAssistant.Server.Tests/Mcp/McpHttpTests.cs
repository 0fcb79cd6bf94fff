using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using OpsAssistant.Infrastructure.Baselines;
using OpsAssistant.Core.Sources;
using OpsAssistant.Tests.Mcp;

namespace OpsAssistant.Server.Tests.Mcp;

/// <summary>The service's <c>/mcp</c> endpoint driven by the MCP SDK's own client over streamable HTTP, behind the API key.</summary>
public sealed class McpHttpTests : IDisposable
{
    private const string ApiKey = "mcp-test-key-0123456789";
    private readonly OpsAssistantHost _host = new(new() { ["OpsAssistant:Security:ApiKeys:0"] = ApiKey });

    public void Dispose() => _host.Dispose();

    [Fact]
    public async Task McpClient_WithKey_ListsAndCallsEveryTool()
    {
        await SeedAsync();
        await using var client = await ConnectAsync(ApiKey);

        await McpToolScenario.ListTools_AnnotatesReadOnlyAndDestructiveAsync(client, "get_baselines");
        await McpToolScenario.TraceTools_AnswerAboutTheTraceAsync(client);
        await McpToolScenario.SamplingTools_RaiseListAndEndAnOverrideAsync(client);
        await McpToolScenario.BadTraceIds_AreToolErrorsAsync(client);
    }

    [Fact]
    public async Task AnalyzeTrace_ReturnsWhatPostAnalysesReturns_AndIsStored()
    {
        await SeedAsync();
        await using var client = await ConnectAsync(ApiKey);
        using var http = _host.CreateClient();
        http.DefaultRequestHeaders.Add("X-Api-Key", ApiKey);

        var viaMcp = await McpToolScenario.AnalyzeAsync(client);
        using var response = await http.PostAsJsonAsync("/api/analyses", new { traceId = McpToolScenario.TraceId });
        var viaApi = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(Fields(viaApi), Fields(viaMcp));
        Assert.Equal(viaApi.GetProperty("summary").GetString(), viaMcp.GetProperty("summary").GetString());
        Assert.Equal(viaApi.GetProperty("hypotheses").GetRawText(), viaMcp.GetProperty("hypotheses").GetRawText());
        using var stored = JsonDocument.Parse(await http.GetStringAsync($"/api/analyses/{viaMcp.GetProperty("analysisId").GetString()}"));
        Assert.Equal("done", stored.RootElement.GetProperty("status").GetString());
        Assert.Equal("mcp", stored.RootElement.GetProperty("origin").GetString());
    }

    [Fact]
    public async Task OpenIncident_ComparesTheServicesWindowsAndIsStored_BadMinutesIsAToolError()
    {
        await SeedAsync();
        await using var client = await ConnectAsync(ApiKey);
        using var http = _host.CreateClient();
        http.DefaultRequestHeaders.Add("X-Api-Key", ApiKey);

        var result = await client.CallToolAsync("open_incident", new Dictionary<string, object?> { ["service"] = "checkout", ["minutes"] = 60 });
        var refused = await client.CallToolAsync("open_incident", new Dictionary<string, object?> { ["service"] = "checkout", ["minutes"] = 0 });

        Assert.NotEqual(true, result.IsError);
        using var incident = JsonDocument.Parse(((ModelContextProtocol.Protocol.TextContentBlock)result.Content[0]).Text);
        Assert.Equal("checkout", incident.RootElement.GetProperty("service").GetString());
        Assert.Equal(1, incident.RootElement.GetProperty("counts").GetProperty("traces").GetInt32());
        using var stored = JsonDocument.Parse(await http.GetStringAsync($"/api/incidents/{incident.RootElement.GetProperty("incidentId").GetString()}"));
        Assert.Equal("mcp", stored.RootElement.GetProperty("origin").GetString());
        Assert.True(refused.IsError);
        Assert.Contains("minutes", ((ModelContextProtocol.Protocol.TextContentBlock)refused.Content[0]).Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task McpClient_WithoutOrWithWrongKey_IsRefused()
    {
        await Assert.ThrowsAnyAsync<Exception>(() => ConnectAsync(null));
        await Assert.ThrowsAnyAsync<Exception>(() => ConnectAsync("wrong-key-0123456789abc"));

        using var http = _host.CreateClient();
        using var response = await http.PostAsync("/mcp", new StringContent("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task GetBaselines_AnswersWhatGetApiBaselinesAnswers_AsOfAnInstantToo_AndBadArgumentsAreToolErrors()
    {
        // History: baselines cover the complete (hour) buckets before now's, so the spans go in an hour and a minute back.
        var trace = McpToolScenario.RecentFixtureTrace(Path.Combine(AppContext.BaseDirectory, "Fixtures", "sibling_errors.json"), TimeSpan.FromMinutes(61));
        _host.Services.GetRequiredService<BaselineRecorder>().Record(trace.Spans);
        await _host.Services.GetServices<IHostedService>().OfType<BaselineFlushService>().Single().FlushOnceAsync(TestContext.Current.CancellationToken);
        await using var client = await ConnectAsync(ApiKey);
        using var http = _host.CreateClient();
        http.DefaultRequestHeaders.Add("X-Api-Key", ApiKey);

        var viaMcp = await client.CallToolAsync("get_baselines", new Dictionary<string, object?> { ["service"] = "payment" });
        using var viaHttp = JsonDocument.Parse(await http.GetStringAsync("/api/baselines?service=payment"));

        Assert.NotEqual(true, viaMcp.IsError);
        using var answer = JsonDocument.Parse(((TextContentBlock)viaMcp.Content[0]).Text);
        Assert.Equal("store", answer.RootElement.GetProperty("source").GetString());
        var operations = answer.RootElement.GetProperty("operations");
        Assert.NotEqual(0, operations.GetArrayLength());
        Assert.Equal(Figures(viaHttp.RootElement.GetProperty("operations")), Figures(operations));
        var bad = await client.CallToolAsync("get_baselines", new Dictionary<string, object?> { ["service"] = "" });
        Assert.True(bad.IsError);
        Assert.StartsWith("service:", ((TextContentBlock)bad.Content[0]).Text, StringComparison.Ordinal);

        // As of three hours ago the window ends before the history was recorded: nothing is normal yet, and the window says so.
        var threeHoursAgo = DateTimeOffset.UtcNow.AddHours(-3);
        var earlier = await client.CallToolAsync("get_baselines", new Dictionary<string, object?> { ["service"] = "payment", ["at"] = threeHoursAgo.ToString("O", System.Globalization.CultureInfo.InvariantCulture) });
        Assert.NotEqual(true, earlier.IsError);
        using var earlierAnswer = JsonDocument.Parse(((TextContentBlock)earlier.Content[0]).Text);
        Assert.Equal(0, earlierAnswer.RootElement.GetProperty("operations").GetArrayLength());
        Assert.True(earlierAnswer.RootElement.GetProperty("to").GetDateTimeOffset() <= threeHoursAgo);
        var badAt = await client.CallToolAsync("get_baselines", new Dictionary<string, object?> { ["service"] = "payment", ["at"] = "yesterday" });
        Assert.True(badAt.IsError);
        Assert.StartsWith("at:", ((TextContentBlock)badAt.Content[0]).Text, StringComparison.Ordinal);
    }

    /// <summary>Every figure of every operation, without the window (each answer's ends at the moment it was asked).</summary>
    private static string[] Figures(JsonElement operations) =>
        [.. operations.EnumerateArray().SelectMany(o => o.EnumerateObject().Where(p => p.Name is not ("from" or "to")).Select(p => $"{p.Name}={p.Value.GetRawText()}"))];

    private static string[] Fields(JsonElement result) => [.. result.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal)];

    private async Task SeedAsync()
    {
        var trace = McpToolScenario.RecentFixtureTrace(Path.Combine(AppContext.BaseDirectory, "Fixtures", "sibling_errors.json"));
        await _host.Services.GetRequiredService<ITraceStore>().AddSpansAsync([.. trace.Spans]);
    }

    private async Task<McpClient> ConnectAsync(string? key)
    {
        var options = new HttpClientTransportOptions
        {
            Endpoint = new Uri(_host.BaseAddress, "mcp"),
            TransportMode = HttpTransportMode.StreamableHttp,
            AdditionalHeaders = key is null ? null : new Dictionary<string, string> { ["X-Api-Key"] = key },
        };
        return await McpClient.CreateAsync(new HttpClientTransport(options));
    }
}
