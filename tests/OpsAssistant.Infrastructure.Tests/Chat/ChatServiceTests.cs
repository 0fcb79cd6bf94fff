using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using NSubstitute;
using OpsAssistant.Core.Engine;
using OpsAssistant.Core.Model;
using OpsAssistant.Core.Prompting;
using OpsAssistant.Core.Results;
using OpsAssistant.Core.Sources;
using OpsAssistant.Infrastructure.Analyses;
using OpsAssistant.Infrastructure.Chat;
using OpsAssistant.Infrastructure.Llm;
using OpsAssistant.Infrastructure.Tests.Llm;

namespace OpsAssistant.Infrastructure.Tests.Chat;

public sealed partial class ChatServiceTests : IAsyncLifetime
{
    private static readonly Trace Sample = LlmRootCauseEngineTests.SampleTrace();
    private readonly InMemoryConversationStore _conversations = new();
    private readonly ITraceSource _source = Substitute.For<ITraceSource>();
    private readonly ITraceStore _store = Substitute.For<ITraceStore>();
    private readonly IRootCauseEngine _engine = Substitute.For<IRootCauseEngine>();
    private FakeChatCompletionsServer _server = null!;

    public ChatServiceTests()
    {
        _source.Name.Returns("store");
        _source.GetTraceAsync(Sample.TraceId, Arg.Any<CancellationToken>()).Returns(Sample);
        _store.GetTraceAsync(Sample.TraceId, Arg.Any<CancellationToken>()).Returns(Sample);
        _store.SearchAsync(Arg.Any<TraceQuery>(), Arg.Any<CancellationToken>()).Returns(
        [
            new TraceSummary("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "checkout", "PlaceOrder", DateTimeOffset.UtcNow, 1200, 40, 3, ["checkout", "payment"]),
        ]);
        _engine.AnalyzeAsync(Arg.Any<Trace>(), Arg.Any<CancellationToken>()).Returns(ci => new AnalysisResult
        {
            TraceId = ci.Arg<Trace>().TraceId,
            Summary = "SELECT orders took 800 ms of 1000 ms.",
            Hypotheses = [new Hypothesis { Rank = 1, Title = "Slow SELECT", Category = Categories.Latency, Confidence = 0.8, Service = "postgres", Operation = "SELECT orders", SpanIds = ["2222222222222222"] }],
        });
    }

    public async ValueTask InitializeAsync() => _server = await FakeChatCompletionsServer.StartAsync();

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Reply_TraceIdInMessageWithoutLlm_AnalysesAndPersistsBothTurns()
    {
        await using var sp = Services(llm: false);
        var sink = new RecordingSink();

        var reply = await Chat(sp).ReplyAsync(new ChatRequest(null, $"why is {Sample.TraceId} slow?", null), sink, CancellationToken.None);

        var analysis = Assert.Single(sink.Analyses);
        Assert.Equal("postgres", analysis.Hypotheses[0].Service);
        Assert.Equal("SELECT orders took 800 ms of 1000 ms.", reply.Reply);
        var conversation = await _conversations.GetAsync(reply.ConversationId);
        Assert.Equal(2, conversation!.Turns.Count);
        Assert.Equal(Sample.TraceId, conversation.CurrentTraceId);
    }

    [Fact]
    public async Task Reply_UnknownTraceId_SaysItWasNotFound()
    {
        await using var sp = Services(llm: false);
        var sink = new RecordingSink();

        var reply = await Chat(sp).ReplyAsync(new ChatRequest(null, "ffffffffffffffffffffffffffffffff", null), sink, CancellationToken.None);

        Assert.Contains("could not find trace ffffffffffffffffffffffffffffffff in the store", reply.Reply, StringComparison.Ordinal);
        Assert.Empty(sink.Analyses);
    }

    [Fact]
    public async Task Reply_QuestionWithoutLlm_ExplainsHonestlyAndListsRecentErrorTraces()
    {
        await using var sp = Services(llm: false);
        var sink = new RecordingSink();

        var reply = await Chat(sp).ReplyAsync(new ChatRequest(null, "what errors happened recently?", null), sink, CancellationToken.None);

        Assert.Contains("No LLM is configured", reply.Reply, StringComparison.Ordinal);
        Assert.Contains("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa checkout/PlaceOrder", reply.Reply, StringComparison.Ordinal);
        await _store.Received().SearchAsync(Arg.Is<TraceQuery>(q => q.HasError == true), Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task Reply_WithLlm_ModelCallsAnalyzeToolThenAnswersFromItsResult()
    {
        string? toolName = null;
        _server.Then(async (ctx, body) =>
        {
            toolName = body["tools"]!.AsArray().Select(t => t!["function"]!["name"]!.GetValue<string>()).First(n => n.Contains("analyze_trace", StringComparison.Ordinal));
            await WriteToolCallAsync(ctx, toolName, $$"""{"traceId":"{{Sample.TraceId}}"}""");
        });
        _server.ThenStream("The SELECT orders span [2222222222222222] is the bottleneck.");
        await using var sp = Services(llm: true);
        var sink = new RecordingSink();

        var reply = await Chat(sp).ReplyAsync(new ChatRequest("c1", "which trace of checkout is worst, and why?", null), sink, CancellationToken.None);

        Assert.Equal(Engines.Llm, reply.Engine);
        Assert.Equal("The SELECT orders span [2222222222222222] is the bottleneck.", reply.Reply);
        Assert.Contains(("analyze_trace", "done"), sink.Tools.Select(t => (t.Name, t.Status)));
        Assert.Single(sink.Analyses);
        Assert.Equal(2, _server.Requests.Count);
        var second = _server.Requests.Last()["messages"]!.AsArray();
        var toolResult = second.Single(m => m!["role"]!.GetValue<string>() == "tool")!["content"]!.ToJsonString();
        Assert.Contains("Slow SELECT", toolResult, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reply_SeveralToolCallsOnOneTrace_FetchTheTraceOncePerTurn()
    {
        static string Tool(JsonNode body, string name) =>
            body["tools"]!.AsArray().Select(t => t!["function"]!["name"]!.GetValue<string>()).First(n => n.Contains(name, StringComparison.Ordinal));
        _server.Then((ctx, body) => WriteToolCallAsync(ctx, Tool(body, "analyze_trace"), $$"""{"traceId":"{{Sample.TraceId}}"}"""));
        _server.Then((ctx, body) => WriteToolCallAsync(ctx, Tool(body, "list_errors"), $$"""{"traceId":"{{Sample.TraceId.ToUpperInvariant()}}"}"""));
        _server.Then((ctx, body) => WriteToolCallAsync(ctx, Tool(body, "show_span"), $$"""{"traceId":"{{Sample.TraceId}}","spanId":"{{Sample.Spans[0].SpanId}}"}"""));
        _server.ThenStream("Done.");
        _server.Then((ctx, body) => WriteToolCallAsync(ctx, Tool(body, "list_errors"), $$"""{"traceId":"{{Sample.TraceId}}"}"""));
        _server.ThenStream("Still the same.");
        await using var sp = Services(llm: true);
        var sink = new RecordingSink();

        // No trace ID in the message, so the model drives the tools (a pasted ID is analysed directly, without them).
        await Chat(sp).ReplyAsync(new ChatRequest(null, "why was the last checkout slow?", null), sink, CancellationToken.None);
        await _source.Received(1).GetTraceAsync(Sample.TraceId, Arg.Any<CancellationToken>());

        // A new turn asks the source again: spans may have arrived in between.
        await Chat(sp).ReplyAsync(new ChatRequest(null, "and the errors now?", null), sink, CancellationToken.None);
        await _source.Received(2).GetTraceAsync(Sample.TraceId, Arg.Any<CancellationToken>());
        Assert.Equal(4, sink.Tools.Count(t => t.Status == "done"));
    }

    [Fact]
    public async Task Reply_ModelThatKeepsCallingTools_IsStoppedAtTheStepLimit()
    {
        _server.Default = async (ctx, body) =>
        {
            var name = body["tools"]?.AsArray().Select(t => t!["function"]!["name"]!.GetValue<string>()).First(n => n.Contains("list_errors", StringComparison.Ordinal));
            if (name is null)
            {
                await FakeChatCompletionsServer.WriteStreamAsync(ctx, "giving up", 5, 5, "m");
                return;
            }

            await WriteToolCallAsync(ctx, name, $$"""{"traceId":"{{Sample.TraceId}}"}""");
        };
        await using var sp = Services(llm: true, maxSteps: 2);
        var sink = new RecordingSink();

        await Chat(sp).ReplyAsync(new ChatRequest(null, "list the errors again and again", null), sink, CancellationToken.None);

        Assert.InRange(_server.Requests.Count, 2, 3);
        Assert.Contains(sink.Tools, t => t.Status.StartsWith("skipped", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Reply_LlmFailing_FallsBackToAnHonestAnswer()
    {
        _server.Default = (ctx, _) => { ctx.Response.StatusCode = 500; return Task.CompletedTask; };
        await using var sp = Services(llm: true);
        var sink = new RecordingSink();

        var reply = await Chat(sp).ReplyAsync(new ChatRequest(null, "anything broken?", null), sink, CancellationToken.None);

        Assert.Equal(Engines.Heuristic, reply.Engine);
        Assert.Contains("LLM is not answering right now", reply.Reply, StringComparison.Ordinal);
        Assert.Contains("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", reply.Reply, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("look at 4bf92f3577b34da6a3ce929d0e0e4736 please", "4bf92f3577b34da6a3ce929d0e0e4736")]
    [InlineData("span-less id 00f067aa0ba902b7", "00f067aa0ba902b7")]
    [InlineData("no id here, just 12345", null)]
    [InlineData("too long 4bf92f3577b34da6a3ce929d0e0e47361", null)]
    public void FindTraceId_FindsStandaloneHexIds(string message, string? expected) =>
        Assert.Equal(expected, ChatService.FindTraceId(message));

    private static async Task WriteToolCallAsync(HttpContext ctx, string name, string arguments)
    {
        ctx.Response.ContentType = "text/event-stream";
        var chunk = new JsonObject
        {
            ["id"] = "chatcmpl-tool", ["object"] = "chat.completion.chunk", ["created"] = 1_764_000_000, ["model"] = "m",
            ["choices"] = new JsonArray(new JsonObject
            {
                ["index"] = 0,
                ["delta"] = new JsonObject
                {
                    ["role"] = "assistant",
                    ["tool_calls"] = new JsonArray(new JsonObject
                    {
                        ["index"] = 0, ["id"] = "call_" + Guid.NewGuid().ToString("n")[..8], ["type"] = "function",
                        ["function"] = new JsonObject { ["name"] = name, ["arguments"] = arguments },
                    }),
                },
                ["finish_reason"] = "tool_calls",
            }),
        };
        await ctx.Response.WriteAsync($"data: {chunk.ToJsonString()}\n\ndata: [DONE]\n\n");
    }

    private ServiceProvider Services(bool llm, int maxSteps = 5) =>
        LlmTestServices.Build(_server.V1Endpoint, s =>
        {
            s["OpsAssistant:Llm:Provider"] = llm ? "OpenAICompatible" : "None";
            s["OpsAssistant:Chat:MaxToolSteps"] = maxSteps.ToString(System.Globalization.CultureInfo.InvariantCulture);
        });

    private ChatService Chat(ServiceProvider sp) => new(
        _conversations, new TraceAnalysisService(_ => _source, new Lazy<IRootCauseEngine>(_engine), null, TimeProvider.System), _store, _engine, SecretRedactor.Default,
        sp.GetRequiredService<IOptions<LlmOptions>>(),
        Options.Create(new Infrastructure.Chat.ChatOptions { MaxToolSteps = int.Parse(sp.GetRequiredService<Microsoft.Extensions.Configuration.IConfiguration>()["OpsAssistant:Chat:MaxToolSteps"]!, System.Globalization.CultureInfo.InvariantCulture) }),
        sp, TimeProvider.System, NullLogger<ChatService>.Instance);
}
