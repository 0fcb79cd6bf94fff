using Microsoft.Extensions.DependencyInjection;
using OpsAssistant.Core.Sampling;
using OpsAssistant.Infrastructure.Chat;
using OpsAssistant.Infrastructure.Storage;
using OpsAssistant.Infrastructure.Tests.Llm;

namespace OpsAssistant.Infrastructure.Tests.Chat;

/// <summary>Sampling commands in the chat: the deterministic parser without an LLM, the tool with one; both make real overrides.</summary>
public sealed partial class ChatServiceTests
{
    [Theory]
    [InlineData("sample checkout fully for 30 minutes", "checkout", 1.0, 1800.0)]
    [InlineData("Sample checkout fully for 30 minutes.", "checkout", 1.0, 1800.0)]
    [InlineData("please sample ts-order-service at 25% for 2h", "ts-order-service", 0.25, 7200.0)]
    [InlineData("sample payment at 0.5", "payment", 0.5, null)]
    [InlineData("sample `cart` completely for 90 s", "cart", 1.0, 90.0)]
    public void ParseSamplingIntent_SetCommands_ReadServiceRateAndDuration(string message, string service, double rate, double? seconds)
    {
        var intent = SamplingIntentParser.Parse(message);

        Assert.Equal(new SamplingIntent(SamplingIntentKind.Set, service, rate, seconds is { } s ? TimeSpan.FromSeconds(s) : null), intent);
    }

    [Theory]
    [InlineData("stop sampling checkout", SamplingIntentKind.Stop, "checkout")]
    [InlineData("Stop sampling checkout fully!", SamplingIntentKind.Stop, "checkout")]
    [InlineData("reset sampling for payment", SamplingIntentKind.Stop, "payment")]
    [InlineData("show sampling overrides", SamplingIntentKind.Show, null)]
    [InlineData("list the active sampling overrides?", SamplingIntentKind.Show, null)]
    [InlineData("sampling overrides", SamplingIntentKind.Show, null)]
    public void ParseSamplingIntent_StopAndShowCommands_AreRecognised(string message, SamplingIntentKind kind, string? service) =>
        Assert.Equal(new SamplingIntent(kind, service), SamplingIntentParser.Parse(message));

    [Theory]
    [InlineData("why is checkout sampled so little?")]
    [InlineData("what does sampling do")]
    [InlineData("sample checkout")]
    [InlineData("we should stop sampling checkout fully tomorrow")]
    [InlineData("")]
    public void ParseSamplingIntent_QuestionsAndProse_AreNotCommands(string message) =>
        Assert.Null(SamplingIntentParser.Parse(message));

    [Fact]
    public async Task Reply_SampleCommandWithoutLlm_CreatesAnOverrideAttributedToTheConversation()
    {
        await using var sp = SamplingServices(llm: false, out var directory);
        try
        {
            var reply = await Chat(sp).ReplyAsync(new ChatRequest("conv-1", "sample checkout fully for 30 minutes", null), new RecordingSink(), CancellationToken.None);

            var made = Assert.Single(await sp.GetRequiredService<ISamplingOverrideStore>().ListOverridesAsync(DateTimeOffset.UtcNow, 10));
            Assert.Equal(("checkout", 1.0, "chat conv-1"), (made.Service, made.Rate, made.CreatedBy));
            Assert.Equal(TimeSpan.FromMinutes(30), made.ExpiresAt - made.CreatedAt);
            Assert.Contains(made.Id, reply.Reply, StringComparison.Ordinal);

            var shown = await Chat(sp).ReplyAsync(new ChatRequest("conv-1", "show sampling overrides", null), new RecordingSink(), CancellationToken.None);
            Assert.Contains("checkout at 100%", shown.Reply, StringComparison.Ordinal);
            Assert.Contains("by chat conv-1", shown.Reply, StringComparison.Ordinal);

            var stopped = await Chat(sp).ReplyAsync(new ChatRequest("conv-2", "stop sampling checkout", null), new RecordingSink(), CancellationToken.None);
            Assert.Contains("back to 1%", stopped.Reply, StringComparison.Ordinal);
            var ended = Assert.Single(await sp.GetRequiredService<ISamplingOverrideStore>().ListOverridesAsync(null, 10));
            Assert.Equal("chat conv-2", ended.EndedBy);
        }
        finally
        {
            Cleanup(directory);
        }
    }

    [Fact]
    public async Task Reply_SampleCommandWithBadServiceName_ChangesNothingAndSaysWhy()
    {
        await using var sp = SamplingServices(llm: false, out var directory);
        try
        {
            var reply = await Chat(sp).ReplyAsync(new ChatRequest("conv-1", "sample ch$ckout fully", null), new RecordingSink(), CancellationToken.None);

            Assert.StartsWith("I did not change sampling: 'service'", reply.Reply, StringComparison.Ordinal);
            Assert.Empty(await sp.GetRequiredService<ISamplingOverrideStore>().ListOverridesAsync(null, 10));
        }
        finally
        {
            Cleanup(directory);
        }
    }

    [Fact]
    public async Task Reply_WithLlm_ModelCallsTheSamplingToolWhichCreatesARealOverride()
    {
        _server.Then(async (ctx, body) =>
        {
            var name = body["tools"]!.AsArray().Select(t => t!["function"]!["name"]!.GetValue<string>()).First(n => n.Contains("sample_service", StringComparison.Ordinal));
            await WriteToolCallAsync(ctx, name, """{"service":"checkout","percent":100,"minutes":45,"reason":"INC-9"}""");
        });
        _server.ThenStream("Done: checkout is sampled fully for 45 minutes.");
        await using var sp = SamplingServices(llm: true, out var directory);
        try
        {
            var sink = new RecordingSink();

            await Chat(sp).ReplyAsync(new ChatRequest("conv-llm", "record every checkout trace for the next 45 minutes", null), sink, CancellationToken.None);

            var made = Assert.Single(await sp.GetRequiredService<ISamplingOverrideStore>().ListOverridesAsync(DateTimeOffset.UtcNow, 10));
            Assert.Equal(("checkout", 1.0, "chat conv-llm", "INC-9"), (made.Service, made.Rate, made.CreatedBy, made.Reason));
            Assert.Equal(TimeSpan.FromMinutes(45), made.ExpiresAt - made.CreatedAt);
            var toolResult = _server.Requests.Last()["messages"]!.AsArray().Single(m => m!["role"]!.GetValue<string>() == "tool")!["content"]!.ToJsonString();
            Assert.Contains(made.Id, toolResult, StringComparison.Ordinal);
        }
        finally
        {
            Cleanup(directory);
        }
    }

    private ServiceProvider SamplingServices(bool llm, out string directory)
    {
        var path = Path.Combine(directory = Directory.CreateTempSubdirectory("opsassistant-chat-sampling-").FullName, "traces.db");
        return LlmTestServices.Build(_server.V1Endpoint, s =>
        {
            s["OpsAssistant:Llm:Provider"] = llm ? "OpenAICompatible" : "None";
            s["OpsAssistant:Chat:MaxToolSteps"] = "5";
        }, extra: services =>
        {
            services.AddSingleton<RelationalDatabase>(new SqliteDatabase(SqliteDatabase.ConnectionStringForFile(path)));
            services.AddOpsAssistantSampling();
        });
    }

    private static void Cleanup(string directory)
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(directory, recursive: true);
    }
}
