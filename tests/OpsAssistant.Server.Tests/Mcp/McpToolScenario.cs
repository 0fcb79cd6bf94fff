using System.Text.Json;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace OpsAssistant.Tests.Mcp;

/// <summary>
/// What an assistant does over MCP, whatever the transport: list the tools, then call each on the sibling-errors fixture
/// trace (<see cref="TraceId"/>, already in the server's store). Shared by the HTTP and the stdio tests.
/// </summary>
internal static class McpToolScenario
{
    public const string TraceId = "7c4f1a90b3e84d2f9a6c5e8017b3d264";
    public const string ChargeSpanId = "d4e5f60718293a4b";

    public static readonly string[] ReadOnlyTools = ["search_traces", "show_span", "list_errors", "critical_path", "compare_with_normal", "list_sampling_overrides"];

    /// <param name="client">The connected client.</param>
    /// <param name="hostTools">Read-only tools only the server host has (its baselines), beside the shared ones.</param>
    public static async Task ListTools_AnnotatesReadOnlyAndDestructiveAsync(McpClient client, params string[] hostTools)
    {
        var tools = (await client.ListToolsAsync()).ToDictionary(t => t.Name, t => t.ProtocolTool);

        Assert.Equal(
            new[] { "analyze_trace", "compare_with_normal", "critical_path", "end_sampling_override", "list_errors", "list_sampling_overrides", "open_incident", "raise_sampling", "search_traces", "show_span" }
                .Concat(hostTools).Order(StringComparer.Ordinal),
            tools.Keys.Order(StringComparer.Ordinal));
        foreach (var name in ReadOnlyTools.Concat(hostTools))
        {
            Assert.True(tools[name].Annotations?.ReadOnlyHint, name);
            Assert.False(tools[name].Annotations?.DestructiveHint, name);
        }

        Assert.True(tools["end_sampling_override"].Annotations?.DestructiveHint);
        Assert.False(tools["end_sampling_override"].Annotations?.ReadOnlyHint);
        Assert.False(tools["raise_sampling"].Annotations?.ReadOnlyHint);
        Assert.False(tools["analyze_trace"].Annotations?.ReadOnlyHint);
        Assert.Contains("traceId", tools["analyze_trace"].InputSchema.GetRawText(), StringComparison.Ordinal);
        Assert.Equal("opsassistant", client.ServerInfo!.Name);
    }

    /// <summary>Calls analyze_trace and returns its result JSON after checking the contract's fields.</summary>
    public static async Task<JsonElement> AnalyzeAsync(McpClient client)
    {
        var result = await Call(client, "analyze_trace", new() { ["traceId"] = TraceId });
        Assert.Equal(TraceId, result.GetProperty("traceId").GetString());
        Assert.Equal("heuristic", result.GetProperty("engine").GetString());
        Assert.False(string.IsNullOrEmpty(result.GetProperty("analysisId").GetString()));
        var top = result.GetProperty("hypotheses")[0];
        Assert.Equal("payment", top.GetProperty("service").GetString());
        Assert.NotEmpty(top.GetProperty("spanIds").EnumerateArray());
        return result;
    }

    public static async Task TraceTools_AnswerAboutTheTraceAsync(McpClient client)
    {
        var search = await Call(client, "search_traces", new() { ["errorsOnly"] = true, ["lastMinutes"] = 7 * 24 * 60 });
        Assert.Contains(search.GetProperty("traces").EnumerateArray(), t => t.GetProperty("traceId").GetString() == TraceId);

        var span = await Call(client, "show_span", new() { ["traceId"] = TraceId, ["spanId"] = ChargeSpanId });
        Assert.Equal("oteldemo.PaymentService/Charge", span.GetProperty("operation").GetString());
        Assert.Equal("payment", span.GetProperty("service").GetString());

        var errors = await Call(client, "list_errors", new() { ["traceId"] = TraceId });
        Assert.Equal(5, errors.GetProperty("total").GetInt32());

        var path = await Call(client, "critical_path", new() { ["traceId"] = TraceId });
        var items = path.GetProperty("path").EnumerateArray().ToList();
        Assert.NotEmpty(items);
        Assert.Equal("a1b2c3d4e5f60718", items[0].GetProperty("spanId").GetString());
        Assert.All(items, i => Assert.True(i.GetProperty("onPathMs").GetDouble() >= 0));

        // The store holds no error-free trace of the same root operation: a tool error that says so, not a crash.
        var compare = await client.CallToolAsync("compare_with_normal", new Dictionary<string, object?> { ["traceId"] = TraceId });
        Assert.True(compare.IsError);
        Assert.Contains("error-free", Text(compare), StringComparison.Ordinal);
    }

    public static async Task SamplingTools_RaiseListAndEndAnOverrideAsync(McpClient client)
    {
        var raised = await Call(client, "raise_sampling", new() { ["service"] = "payment", ["rate"] = 1.0, ["ttl"] = "30m", ["reason"] = "incident" });
        var id = raised.GetProperty("id").GetString()!;
        Assert.Equal("active", raised.GetProperty("status").GetString());
        Assert.StartsWith("mcp", raised.GetProperty("createdBy").GetString(), StringComparison.Ordinal);

        var listed = await CallArray(client, "list_sampling_overrides", new() { ["activeOnly"] = true });
        Assert.Contains(listed, o => o.GetProperty("id").GetString() == id && o.GetProperty("service").GetString() == "payment");

        var ended = await Call(client, "end_sampling_override", new() { ["id"] = id });
        Assert.Equal("ended", ended.GetProperty("status").GetString());

        var again = await client.CallToolAsync("end_sampling_override", new Dictionary<string, object?> { ["id"] = id });
        Assert.True(again.IsError);
        Assert.Contains("no longer in force", Text(again), StringComparison.Ordinal);

        var invalid = await client.CallToolAsync("raise_sampling", new Dictionary<string, object?> { ["service"] = "payment", ["rate"] = 3.0 });
        Assert.True(invalid.IsError);
        Assert.Contains("rate", Text(invalid), StringComparison.Ordinal);
    }

    public static async Task BadTraceIds_AreToolErrorsAsync(McpClient client)
    {
        var malformed = await client.CallToolAsync("analyze_trace", new Dictionary<string, object?> { ["traceId"] = "not-a-trace" });
        Assert.True(malformed.IsError);
        Assert.Contains("hexadecimal", Text(malformed), StringComparison.Ordinal);

        var missing = await client.CallToolAsync("list_errors", new Dictionary<string, object?> { ["traceId"] = "0123456789abcdef0123456789abcdef" });
        Assert.True(missing.IsError);
        Assert.Contains("not found", Text(missing), StringComparison.Ordinal);

        var unknownSpan = await client.CallToolAsync("show_span", new Dictionary<string, object?> { ["traceId"] = TraceId, ["spanId"] = "0000000000000001" });
        Assert.True(unknownSpan.IsError);
    }

    /// <summary>The fixture's trace moved to the last minutes, so time-windowed searches find it.</summary>
    /// <summary>The fixture's trace moved to have ended <paramref name="ago"/> (a minute when null) before now.</summary>
    public static OpsAssistant.Core.Model.Trace RecentFixtureTrace(string path, TimeSpan? ago = null)
    {
        var json = File.ReadAllText(path);
        var times = System.Text.RegularExpressions.Regex.Matches(json, "\"(?:start|end)?[tT]imeUnixNano\": \"(\\d+)\"")
            .Select(m => long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        var shift = (DateTimeOffset.UtcNow - (ago ?? TimeSpan.FromMinutes(1))).ToUnixTimeMilliseconds() * 1_000_000 - times.Max();
        var moved = System.Text.RegularExpressions.Regex.Replace(json, "(\"(?:start|end)?[tT]imeUnixNano\": \")(\\d+)\"",
            m => m.Groups[1].Value + (long.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture) + shift).ToString(System.Globalization.CultureInfo.InvariantCulture) + "\"");
        return OpsAssistant.Core.Formats.TraceReader.Read(System.Text.Encoding.UTF8.GetBytes(moved)).Traces[0];
    }

    public static string Text(CallToolResult result) => string.Concat(result.Content.OfType<TextContentBlock>().Select(b => b.Text));

    private static async Task<JsonElement> Call(McpClient client, string tool, Dictionary<string, object?> arguments)
    {
        var result = await client.CallToolAsync(tool, arguments);
        Assert.False(result.IsError == true, $"{tool}: {Text(result)}");
        return JsonDocument.Parse(Text(result)).RootElement.Clone();
    }

    private static async Task<List<JsonElement>> CallArray(McpClient client, string tool, Dictionary<string, object?> arguments) =>
        [.. (await Call(client, tool, arguments)).EnumerateArray()];
}
