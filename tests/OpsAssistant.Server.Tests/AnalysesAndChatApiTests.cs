using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OpsAssistant.Core.Formats;

namespace OpsAssistant.Server.Tests;

/// <summary>The analysis and chat API through a real Kestrel host on loopback, on the heuristic engine.</summary>
public sealed class AnalysesAndChatApiTests : IDisposable
{
    private const string SiblingTrace = "7c4f1a90b3e84d2f9a6c5e8017b3d264";
    private readonly OpsAssistantHost _host = new();
    private readonly HttpClient _client;

    public AnalysesAndChatApiTests()
    {
        _client = new HttpClient { BaseAddress = _host.BaseAddress };
    }

    public void Dispose()
    {
        _client.Dispose();
        _host.Dispose();
    }

    [Fact]
    public async Task PostAnalysis_StoredTrace_ReturnsTheResultContractAndGetReturnsItDone()
    {
        await IngestAsync("sibling_errors.json");

        using var response = await _client.PostAsJsonAsync("/api/analyses", new { traceId = SiblingTrace, source = "store" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var result = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = result.RootElement;
        Assert.Equal(SiblingTrace, root.GetProperty("traceId").GetString());
        Assert.Equal("heuristic", root.GetProperty("engine").GetString());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("model").ValueKind);
        Assert.Contains("no LLM configured", root.GetProperty("degraded").GetString(), StringComparison.Ordinal);
        var top = root.GetProperty("hypotheses")[0];
        Assert.Equal("payment", top.GetProperty("service").GetString());
        Assert.Equal("d4e5f60718293a4b", top.GetProperty("spanIds")[0].GetString());

        var id = root.GetProperty("analysisId").GetString();
        using var stored = JsonDocument.Parse(await _client.GetStringAsync($"/api/analyses/{id}"));
        Assert.Equal("done", stored.RootElement.GetProperty("status").GetString());
        Assert.Equal("payment", stored.RootElement.GetProperty("hypotheses")[0].GetProperty("service").GetString());
    }

    [Theory]
    [InlineData("{\"traceId\":\"not-hex\"}", "traceId")]
    [InlineData("{}", "traceId")]
    [InlineData("{\"traceId\":\"7c4f1a90b3e84d2f9a6c5e8017b3d264\",\"source\":\"elsewhere\"}", "source")]
    public async Task PostAnalysis_BadRequest_IsAProblemNamingTheField(string body, string field)
    {
        using var response = await _client.PostAsync("/api/analyses", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.True(problem.RootElement.GetProperty("errors").TryGetProperty(field, out _));
    }

    [Fact]
    public async Task PostAnalysis_UnknownTrace_IsANotFoundProblem()
    {
        using var response = await _client.PostAsJsonAsync("/api/analyses", new { traceId = "ffffffffffffffffffffffffffffffff" });

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("not found", await response.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task GetAnalysis_UnknownId_IsNotFound()
    {
        using var response = await _client.GetAsync("/api/analyses/nope");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Chat_TraceIdOverSse_StreamsAnalysisThenTextThenDoneAndPersistsTheConversation()
    {
        await IngestAsync("sibling_errors.json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/chat") { Content = JsonContent.Create(new { message = $"why did {SiblingTrace} fail?" }) };
        request.Headers.Accept.ParseAdd("text/event-stream");

        using var response = await _client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        // The text may come in several deltas (released line by line through the output redactor): one run of them.
        var events = body.Split("\n\n", StringSplitOptions.RemoveEmptyEntries).Select(e => e.Split('\n')[0]).ToList();
        var collapsed = events.Where((e, i) => i == 0 || e != events[i - 1]).ToList();
        Assert.Equal(["event: analysis", "event: delta", "event: done"], collapsed);
        var done = JsonDocument.Parse(body.Split("\n\n", StringSplitOptions.RemoveEmptyEntries)[^1].Split("data: ")[1]);
        var conversationId = done.RootElement.GetProperty("conversationId").GetString();

        using var second = await _client.PostAsJsonAsync("/api/chat", new { conversationId, message = "what can you do?" });
        using var reply = JsonDocument.Parse(await second.Content.ReadAsStringAsync());
        Assert.Equal(conversationId, reply.RootElement.GetProperty("conversationId").GetString());
        Assert.Contains("No LLM is configured", reply.RootElement.GetProperty("reply").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"message\":\"\"}", "message")]
    [InlineData("{\"message\":\"hi\",\"traceId\":\"zz\"}", "traceId")]
    [InlineData("{\"message\":\"hi\",\"conversationId\":\"../../etc\"}", "conversationId")]
    public async Task Chat_BadRequest_IsAProblemNamingTheField(string body, string field)
    {
        using var response = await _client.PostAsync("/api/chat", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains($"\"{field}\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private async Task IngestAsync(string fixture)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Fixtures", fixture);
        var trace = (await TraceReader.ReadFileAsync(path)).Traces[0];
        using var content = new ByteArrayContent(OtlpJsonWriter.ToUtf8Bytes(trace.Spans));
        content.Headers.ContentType = new("application/json");
        using var response = await _client.PostAsync("/v1/traces", content);
        response.EnsureSuccessStatusCode();
    }
}
