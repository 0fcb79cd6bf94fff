using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using OpsAssistant.Infrastructure.Tests.Llm;

namespace OpsAssistant.Cli.Tests;

/// <summary>
/// `opsassistant analyze … --json | jq` must work whatever the LLM does: the built CLI runs as its own process (so the
/// real console and the shipped appsettings.json, whose Logging section says Information, are in play) against a real
/// OpenAI-compatible server on loopback, and its stdout must be exactly one JSON document while logs go to stderr.
/// </summary>
public sealed class CliStdoutTests : IAsyncLifetime
{
    private const string PaymentSpan = "d4e5f60718293a4b";
    private FakeChatCompletionsServer _llm = null!;

    public async ValueTask InitializeAsync() => _llm = await FakeChatCompletionsServer.StartAsync();

    public async ValueTask DisposeAsync() => await _llm.DisposeAsync();

    public static TheoryData<string> LlmBehaviours => ["off", "answers", "retried after 429", "fails"];

    [Theory]
    [MemberData(nameof(LlmBehaviours))]
    public async Task AnalyzeJson_WhateverTheLlmDoes_StdoutIsOnlyTheResultJson(string behaviour)
    {
        var noLlm = behaviour == "off";
        switch (behaviour)
        {
            case "answers":
                _llm.ThenJson(Answer());
                break;
            case "retried after 429":
                _llm.ThenStatus(429, retryAfter: "0").ThenJson(Answer());
                break;
            case "fails":
                _llm.Default = (ctx, _) => { ctx.Response.StatusCode = 500; return Task.CompletedTask; };
                break;
        }

        var run = await RunCliAsync(noLlm, "analyze", Fixture("sibling_errors.json"), "--json");

        Assert.Equal(0, run.ExitCode);
        using var result = JsonDocument.Parse(run.Stdout);
        Assert.Equal("7c4f1a90b3e84d2f9a6c5e8017b3d264", result.RootElement.GetProperty("traceId").GetString());
        Assert.Equal("payment", result.RootElement.GetProperty("hypotheses")[0].GetProperty("service").GetString());
        var engine = result.RootElement.GetProperty("engine").GetString();
        Assert.Equal(behaviour is "answers" or "retried after 429" ? "llm" : "heuristic", engine);
        if (behaviour == "retried after 429")
        {
            // The retry happened and was logged, on stderr only.
            Assert.Equal(2, _llm.Requests.Count);
            Assert.Contains("429", run.Stderr, StringComparison.Ordinal);
        }
    }

    private static string Answer() => new JsonObject
    {
        ["summary"] = "The payment charge failed first; the e-mail failure followed.",
        ["hypotheses"] = new JsonArray(new JsonObject
        {
            ["rank"] = 1,
            ["title"] = "Payment Charge failed",
            ["category"] = "error",
            ["confidence"] = 0.8,
            ["spanIds"] = new JsonArray(PaymentSpan),
            ["evidence"] = new JsonArray("Charge returned an error before anything else failed"),
            ["remediation"] = "Check the payment provider",
        }),
    }.ToJsonString();

    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    private async Task<(int ExitCode, string Stdout, string Stderr)> RunCliAsync(bool noLlm, params string[] args)
    {
        var (fileName, prefix) = CliUnderTest.Command();
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,

            // Away from the repository, so only the appsettings.json shipped beside the binary is read.
            WorkingDirectory = Path.GetTempPath(),
        };
        foreach (var arg in (string[])[.. prefix, .. args])
        {
            start.ArgumentList.Add(arg);
        }

        if (noLlm)
        {
            start.ArgumentList.Add("--no-llm");
        }

        start.Environment["OpsAssistant__Llm__Provider"] = "OpenAICompatible";
        start.Environment["OpsAssistant__Llm__Endpoint"] = _llm.V1Endpoint.ToString();
        start.Environment["OpsAssistant__Llm__Model"] = "fake-model-2026";
        start.Environment["OpsAssistant__Llm__ApiKey"] = "test-key";
        start.Environment["OpsAssistant__Llm__MaxRetries"] = "2";
        start.Environment["OpsAssistant__Llm__RetryBaseDelay"] = "00:00:00.050";
        start.Environment.Remove("OTEL_EXPORTER_OTLP_ENDPOINT");

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }
}
