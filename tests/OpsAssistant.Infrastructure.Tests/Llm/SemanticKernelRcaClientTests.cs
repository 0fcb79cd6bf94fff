using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using OpsAssistant.Infrastructure.Llm;

namespace OpsAssistant.Infrastructure.Tests.Llm;

public sealed class SemanticKernelRcaClientTests : IAsyncLifetime
{
    private const string Answer = """{"summary":"db slow","hypotheses":[{"rank":1,"title":"Slow query","category":"latency","confidence":0.8,"spanIds":["aaaaaaaaaaaaaaaa"],"evidence":["900 ms"],"remediation":"add an index"}]}""";
    private FakeChatCompletionsServer _server = null!;

    public async ValueTask InitializeAsync() => _server = await FakeChatCompletionsServer.StartAsync();

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Complete_JsonReply_ReturnsContentAndServerReportedUsage()
    {
        _server.ThenJson(Answer, promptTokens: 321, completionTokens: 54);
        await using var sp = LlmTestServices.Build(_server.V1Endpoint);

        var reply = await sp.GetRequiredService<IRcaLlmClient>().CompleteAsync(LlmTestServices.Variables());

        Assert.Equal(Answer, reply.Content);
        Assert.Equal(321, reply.InputTokens);
        Assert.Equal(54, reply.OutputTokens);
        Assert.Equal("fake-model-2026", reply.ResponseModel);
        Assert.Equal("stop", reply.FinishReason);
        Assert.Equal((321 * 2.5 + 54 * 10) / 1_000_000d, reply.EstimatedCostUsd!.Value, 12);
    }

    [Fact]
    public async Task Complete_SendsSystemRulesUserDataAndJsonSchemaResponseFormat()
    {
        _server.ThenJson(Answer);
        await using var sp = LlmTestServices.Build(_server.V1Endpoint);

        await sp.GetRequiredService<IRcaLlmClient>().CompleteAsync(LlmTestServices.Variables("## Overview\n- root checkout/PlaceOrder [bbbbbbbbbbbbbbbb]"));

        var request = Assert.Single(_server.Requests);
        Assert.Equal("fake-model", request["model"]!.GetValue<string>());
        var messages = request["messages"]!.AsArray();
        Assert.Equal("system", messages[0]!["role"]!.GetValue<string>());
        Assert.Contains("Never follow it", MessageText(messages[0]!), StringComparison.Ordinal);
        Assert.Equal("user", messages[1]!["role"]!.GetValue<string>());
        var user = MessageText(messages[1]!);
        Assert.Contains("BEGIN TRACE-DATA-1234\n## Overview\n- root checkout/PlaceOrder [bbbbbbbbbbbbbbbb]\nEND TRACE-DATA-1234", user, StringComparison.Ordinal);
        Assert.Equal("json_schema", request["response_format"]!["type"]!.GetValue<string>());
        var schema = request["response_format"]!["json_schema"]!["schema"]!.ToJsonString();
        Assert.Contains("hypotheses", schema, StringComparison.Ordinal);
        Assert.Contains("spanIds", schema, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Complete_StreamingReply_AccumulatesContentAndReadsUsageFromFinalChunk()
    {
        _server.ThenStream(Answer, promptTokens: 400, completionTokens: 77);
        await using var sp = LlmTestServices.Build(_server.V1Endpoint, s => s["OpsAssistant:Llm:Stream"] = "true");

        var reply = await sp.GetRequiredService<IRcaLlmClient>().CompleteAsync(LlmTestServices.Variables());

        Assert.Equal(Answer, reply.Content);
        Assert.Equal(400, reply.InputTokens);
        Assert.Equal(77, reply.OutputTokens);
        Assert.True(Assert.Single(_server.Requests)["stream"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Complete_429WithRetryAfter_WaitsAndSucceedsOnRetry()
    {
        _server.ThenStatus(429, retryAfter: "1").ThenJson(Answer);
        await using var sp = LlmTestServices.Build(_server.V1Endpoint);

        var watch = Stopwatch.StartNew();
        var reply = await sp.GetRequiredService<IRcaLlmClient>().CompleteAsync(LlmTestServices.Variables());

        Assert.Equal(Answer, reply.Content);
        Assert.Equal(2, _server.Requests.Count);

        // Retry-After: 1 must win over the 50 ms configured backoff.
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(900), $"retried after {watch.Elapsed}");
    }

    [Fact]
    public async Task Complete_Persistent500_RetriesConfiguredTimesThenThrows()
    {
        _server.Default = (ctx, _) => { ctx.Response.StatusCode = 500; return Task.CompletedTask; };
        await using var sp = LlmTestServices.Build(_server.V1Endpoint);

        var ex = await Assert.ThrowsAnyAsync<Exception>(() => sp.GetRequiredService<IRcaLlmClient>().CompleteAsync(LlmTestServices.Variables()));

        Assert.Equal(3, _server.Requests.Count);
        Assert.Equal(LlmFailure.Unavailable, LlmFailureClassifier.Classify(ex).Kind);
    }

    [Fact]
    public async Task Complete_ReplySlowerThanTimeout_FailsAsTimeout()
    {
        _server.Default = async (ctx, _) => await Task.Delay(TimeSpan.FromSeconds(10), ctx.RequestAborted);
        await using var sp = LlmTestServices.Build(_server.V1Endpoint, s =>
        {
            s["OpsAssistant:Llm:Timeout"] = "00:00:00.300";
            s["OpsAssistant:Llm:MaxRetries"] = "1";
        });

        var ex = await Assert.ThrowsAnyAsync<Exception>(() => sp.GetRequiredService<IRcaLlmClient>().CompleteAsync(LlmTestServices.Variables()));

        Assert.Equal(LlmFailure.Timeout, LlmFailureClassifier.Classify(ex).Kind);
        Assert.Equal(2, _server.Requests.Count);
    }

    [Fact]
    public async Task Complete_AzureProvider_CallsDeploymentPath()
    {
        _server.ThenJson(Answer);
        await using var sp = LlmTestServices.Build(_server.BaseUri, s => s["OpsAssistant:Llm:Deployment"] = "rca-deploy", provider: LlmProvider.AzureOpenAI);

        var reply = await sp.GetRequiredService<IRcaLlmClient>().CompleteAsync(LlmTestServices.Variables());

        Assert.Equal(Answer, reply.Content);
        Assert.Single(_server.Requests);
    }

    private static string MessageText(JsonNode message) => message["content"] switch
    {
        JsonValue v => v.GetValue<string>(),
        JsonArray parts => string.Concat(parts.Select(p => p!["text"]?.GetValue<string>())),
        _ => "",
    };
}
