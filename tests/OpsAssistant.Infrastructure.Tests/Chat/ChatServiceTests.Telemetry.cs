using System.Diagnostics;
using System.Text.Json.Nodes;
using NSubstitute;
using OpenTelemetry;
using OpenTelemetry.Trace;
using OpsAssistant.Core.Sources;
using OpsAssistant.Infrastructure.Chat;
using OpsAssistant.Infrastructure.Telemetry;

namespace OpsAssistant.Infrastructure.Tests.Chat;

public sealed partial class ChatServiceTests
{
    [Fact]
    public async Task Reply_WithLlm_SpansCarryTheConversationIdAndFailedToolCallsTheirErrorType()
    {
        const string Missing = "0123456789abcdef0123456789abcdef";
        const string Broken = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
        _source.GetTraceAsync(Broken, Arg.Any<CancellationToken>()).Returns<Core.Model.Trace?>(_ => throw new TraceSourceException("jaeger", "jaeger answered HTTP 503"));
        static string Tool(JsonNode body, string name) =>
            body["tools"]!.AsArray().Select(t => t!["function"]!["name"]!.GetValue<string>()).First(n => n.Contains(name, StringComparison.Ordinal));
        _server.Then((ctx, body) => WriteToolCallAsync(ctx, Tool(body, "analyze_trace"), $$"""{"traceId":"{{Sample.TraceId}}"}"""));
        _server.Then((ctx, body) => WriteToolCallAsync(ctx, Tool(body, "list_errors"), $$"""{"traceId":"{{Missing}}"}"""));
        _server.Then((ctx, body) => WriteToolCallAsync(ctx, Tool(body, "list_errors"), $$"""{"traceId":"{{Broken}}"}"""));
        _server.ThenStream("Done.");
        var spans = new List<Activity>();
        ActivityTraceId testTrace;
        using (var tracer = Sdk.CreateTracerProviderBuilder().AddSource(OpsAssistantTelemetry.SourceName).AddInMemoryExporter(spans).Build())
        {
            await using var sp = Services(llm: true);
            using (var root = OpsAssistantTelemetry.ActivitySource.StartActivity("test root"))
            {
                testTrace = root!.TraceId;
                await Chat(sp).ReplyAsync(new ChatRequest("conv-telemetry-1", "what went wrong in checkout?", null), new RecordingSink(), CancellationToken.None);
            }

            tracer.ForceFlush();
        }

        var mine = spans.Where(s => s.TraceId == testTrace).ToList();
        var chats = mine.Where(s => (s.GetTagItem("gen_ai.operation.name") as string) == "chat").ToList();
        Assert.Equal(4, chats.Count);
        Assert.All(chats, c => Assert.Equal("conv-telemetry-1", c.GetTagItem("gen_ai.conversation.id")));
        Assert.Equal("conv-telemetry-1", Assert.Single(mine, s => s.DisplayName == "chat turn").GetTagItem("gen_ai.conversation.id"));

        var tools = mine.Where(s => s.DisplayName.StartsWith("execute_tool", StringComparison.Ordinal)).OrderBy(s => s.StartTimeUtc).ToList();
        Assert.Equal(3, tools.Count);
        Assert.All(tools, t => Assert.DoesNotContain(mine, s => s.ParentSpanId == t.SpanId && s.DisplayName.StartsWith("execute_tool", StringComparison.Ordinal)));
        Assert.All(tools, t =>
        {
            Assert.Equal("function", t.GetTagItem("gen_ai.tool.type"));
            Assert.Equal("conv-telemetry-1", t.GetTagItem("gen_ai.conversation.id"));
        });
        Assert.Null(tools[0].GetTagItem("error.type"));
        Assert.Equal(ActivityStatusCode.Unset, tools[0].Status);
        Assert.Equal("tool_error", tools[1].GetTagItem("error.type"));
        Assert.Equal(ActivityStatusCode.Error, tools[1].Status);
        Assert.Equal(typeof(TraceSourceException).FullName, tools[2].GetTagItem("error.type"));
        Assert.Equal(ActivityStatusCode.Error, tools[2].Status);

        // The model still gets the whole history each round: the conversation ID only labels the spans.
        Assert.Equal(3, _server.Requests.Last()["messages"]!.AsArray().Count(m => m!["role"]!.GetValue<string>() == "tool"));
    }
}
