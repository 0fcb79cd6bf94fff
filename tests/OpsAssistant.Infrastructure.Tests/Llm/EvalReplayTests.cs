using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpsAssistant.Core.Engine;
using OpsAssistant.Core.Evaluation;
using OpsAssistant.Core.Formats;
using OpsAssistant.Infrastructure.Llm;

namespace OpsAssistant.Infrastructure.Tests.Llm;

/// <summary>
/// An LLM eval run recorded against the chat-completions server, then replayed with no server at all, gives identical
/// scores and token figures — what lets a committed LLM run be re-checked in CI without a key.
/// </summary>
public sealed partial class EvalReplayTests : IAsyncLifetime, IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("opsassistant-evalreplay-").FullName;
    private FakeChatCompletionsServer _server = null!;

    public async ValueTask InitializeAsync() => _server = await FakeChatCompletionsServer.StartAsync();

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact]
    public async Task EvalReplay_OfARecordedRun_ReproducesScoresAndTokenFigures()
    {
        var cases = Path.Combine(_work, "cases");
        foreach (var name in new[] { "fixture-sibling-errors", "cold-start-fc-preparecode-zip", "n-plus-one-order-lookups", "retry-storm-payment-gateway", "dependency-smtp-relay" })
        {
            var target = Directory.CreateDirectory(Path.Combine(cases, name)).FullName;
            foreach (var file in Directory.GetFiles(Path.Combine(PromptOverEvalSetTests.RepoRoot(), "eval", "cases", name)))
            {
                File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
            }
        }

        // The scripted "model" agrees with the deterministic #1 hypothesis it reads in the prompt, with its own token counts.
        var calls = 0;
        _server.Default = (ctx, body) =>
        {
            var user = body["messages"]!.AsArray().Last()!["content"]!.ToJsonString();
            var spanId = TopSpan().Match(user).Groups[1].Value;
            var answer = new JsonObject
            {
                ["summary"] = "model summary",
                ["hypotheses"] = new JsonArray(new JsonObject { ["rank"] = 1, ["title"] = "model view", ["category"] = "error", ["confidence"] = 0.7, ["spanIds"] = new JsonArray(spanId) }),
            };
            Interlocked.Increment(ref calls);
            return FakeChatCompletionsServer.WriteJsonAsync(ctx, answer.ToJsonString(), 1000 + user.Length % 97, 50 + user.Length % 13, "fake-model-2026");
        };
        var record = Path.Combine(_work, "run");

        var recorded = await RunAsync(cases, _server.V1Endpoint, h => h.RecordDirectory = record);
        var servedWhileRecording = calls;
        var replayed = await RunAsync(cases, new Uri("http://127.0.0.1:9/v1"), h => h.ReplayDirectory = record);

        Assert.Equal(5, servedWhileRecording);
        Assert.Equal(5, calls);
        Assert.True(recorded.MeanInputTokens > 1000);
        Assert.Equal((recorded.Top1, recorded.Top3, recorded.Mrr, recorded.MeanPromptTokens, recorded.MeanInputTokens, recorded.MeanOutputTokens),
            (replayed.Top1, replayed.Top3, replayed.Mrr, replayed.MeanPromptTokens, replayed.MeanInputTokens, replayed.MeanOutputTokens));
        Assert.Equal(recorded.Results.Select(r => (r.Case, r.Rank, r.Service, r.Operation)), replayed.Results.Select(r => (r.Case, r.Rank, r.Service, r.Operation)));
        Assert.All(replayed.Results, r => Assert.Null(r.Error));
    }

    private static async Task<EvalReport> RunAsync(string cases, Uri endpoint, Action<LlmHttpOptions> http)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["OpsAssistant:Llm:Provider"] = "OpenAICompatible",
            ["OpsAssistant:Llm:Endpoint"] = endpoint.ToString(),
            ["OpsAssistant:Llm:Model"] = "fake-model",
            ["OpsAssistant:Llm:CacheTtl"] = "00:00:00",
            ["OpsAssistant:Llm:Timeout"] = "00:00:05",
        }).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging();
        services.AddOpsAssistantAnalysis(http);
        await using var sp = services.BuildServiceProvider();
        var runner = new EvalRunner(sp.GetRequiredService<IRootCauseEngine>(), (stream, traceId, ct) => TraceReader.ReadSingleAsync(stream, traceId, null, ct));
        return await runner.RunAsync(cases, null, CancellationToken.None);
    }

    [GeneratedRegex(@"#1 [^\[]*\[([0-9a-f]{16})")]
    private static partial Regex TopSpan();
}
