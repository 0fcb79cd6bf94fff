using Microsoft.Extensions.DependencyInjection;
using OpsAssistant.Infrastructure.Llm;

namespace OpsAssistant.Infrastructure.Tests.Llm;

public sealed class LlmExchangeArchiveTests : IAsyncLifetime, IDisposable
{
    private const string Answer = """{"summary":"db slow","hypotheses":[{"rank":1,"title":"Slow query","category":"latency","confidence":0.8,"spanIds":["2222222222222222"],"evidence":["800 ms"],"remediation":"add an index"}]}""";
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "opsassistant-replay-" + Guid.NewGuid().ToString("n"));
    private FakeChatCompletionsServer _server = null!;

    public async ValueTask InitializeAsync() => _server = await FakeChatCompletionsServer.StartAsync();

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Replay_OfARecordedRun_ReproducesContentAndUsageWithoutTheServer(bool stream)
    {
        if (stream)
        {
            _server.ThenStream(Answer, promptTokens: 812, completionTokens: 64);
        }
        else
        {
            _server.ThenJson(Answer, promptTokens: 812, completionTokens: 64);
        }

        void Settings(Dictionary<string, string?> s) => s["OpsAssistant:Llm:Stream"] = stream ? "true" : "false";
        LlmReply recorded;
        await using (var sp = LlmTestServices.Build(_server.V1Endpoint, Settings, h => h.RecordDirectory = _dir))
        {
            recorded = await sp.GetRequiredService<IRcaLlmClient>().CompleteAsync(LlmTestServices.Variables());
        }

        await _server.DisposeAsync();
        _server = await FakeChatCompletionsServer.StartAsync();
        LlmReply replayed;
        await using (var sp = LlmTestServices.Build(new Uri("http://127.0.0.1:9/v1"), Settings, h => h.ReplayDirectory = _dir))
        {
            replayed = await sp.GetRequiredService<IRcaLlmClient>().CompleteAsync(LlmTestServices.Variables());
        }

        Assert.Equal(recorded, replayed);
        Assert.Equal(812, replayed.InputTokens);
        Assert.Empty(_server.Requests);
    }

    [Fact]
    public async Task Replay_OfADifferentPrompt_FailsAsReplayMiss()
    {
        _server.ThenJson(Answer);
        await using (var sp = LlmTestServices.Build(_server.V1Endpoint, http: h => h.RecordDirectory = _dir))
        {
            await sp.GetRequiredService<IRcaLlmClient>().CompleteAsync(LlmTestServices.Variables());
        }

        await using var replay = LlmTestServices.Build(new Uri("http://127.0.0.1:9/v1"), http: h => h.ReplayDirectory = _dir);
        var ex = await Assert.ThrowsAnyAsync<Exception>(() =>
            replay.GetRequiredService<IRcaLlmClient>().CompleteAsync(LlmTestServices.Variables("## Overview\n- a different trace [cccccccccccccccc]")));

        Assert.Equal(LlmFailure.ReplayMiss, LlmFailureClassifier.Classify(ex).Kind);
    }

    [Fact]
    public async Task Record_KeepsOnlyTheFinalAnswerOfARetriedCall()
    {
        _server.ThenStatus(503, retryAfter: "0").ThenJson(Answer);
        await using var sp = LlmTestServices.Build(_server.V1Endpoint, http: h => h.RecordDirectory = _dir);

        await sp.GetRequiredService<IRcaLlmClient>().CompleteAsync(LlmTestServices.Variables());

        var file = Assert.Single(Directory.GetFiles(_dir, "*.json"));
        Assert.Contains("Slow query", await File.ReadAllTextAsync(file), StringComparison.Ordinal);
    }
}
