using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using OpsAssistant.Infrastructure.Llm;
using OpsAssistant.Infrastructure.Telemetry;

namespace OpsAssistant.Infrastructure.Tests.Llm;

[Collection(TelemetryCollection.Name)]
public sealed class GenAiTelemetryTests : IAsyncLifetime
{
    private const string Answer = """{"summary":"s","hypotheses":[]}""";
    private FakeChatCompletionsServer _server = null!;

    public async ValueTask InitializeAsync() => _server = await FakeChatCompletionsServer.StartAsync();

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task LlmCall_EmitsGenAiSpanAndMetricsWithServerReportedUsage(bool stream)
    {
        if (stream)
        {
            _server.ThenStream(Answer, promptTokens: 1234, completionTokens: 56);
        }
        else
        {
            _server.ThenJson(Answer, promptTokens: 1234, completionTokens: 56);
        }

        var spans = new List<Activity>();
        var metrics = new List<Metric>();
        using (var tracer = Sdk.CreateTracerProviderBuilder().AddSource(OpsAssistantTelemetry.SourceName).AddInMemoryExporter(spans).Build())
        using (var meter = Sdk.CreateMeterProviderBuilder().AddMeter(OpsAssistantTelemetry.SourceName).AddInMemoryExporter(metrics).Build())
        {
            await using var sp = LlmTestServices.Build(_server.V1Endpoint, s => s["OpsAssistant:Llm:Stream"] = stream ? "true" : "false");
            using (var parent = OpsAssistantTelemetry.ActivitySource.StartActivity("analyze"))
            {
                await sp.GetRequiredService<IRcaLlmClient>().CompleteAsync(LlmTestServices.Variables());
            }

            tracer.ForceFlush();
            meter.ForceFlush();
        }

        var chat = Assert.Single(spans, s => s.DisplayName.StartsWith("chat", StringComparison.Ordinal));
        var analyze = Assert.Single(spans, s => s.DisplayName == "analyze");
        Assert.Equal("chat fake-model", chat.DisplayName);
        Assert.Equal(ActivityKind.Client, chat.Kind);
        Assert.Equal(analyze.SpanId, chat.ParentSpanId);
        Assert.Equal("chat", chat.GetTagItem("gen_ai.operation.name"));
        Assert.Equal("fake-model", chat.GetTagItem("gen_ai.request.model"));
        Assert.Equal("fake-model-2026", chat.GetTagItem("gen_ai.response.model"));
        Assert.NotNull(chat.GetTagItem("gen_ai.provider.name"));
        Assert.Equal(1234, Convert.ToInt64(chat.GetTagItem("gen_ai.usage.input_tokens"), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(56, Convert.ToInt64(chat.GetTagItem("gen_ai.usage.output_tokens"), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Contains("stop", chat.GetTagItem("gen_ai.response.finish_reasons")?.ToString(), StringComparison.Ordinal);
        Assert.Equal((1234 * 2.5 + 56 * 10) / 1_000_000d, (double)chat.GetTagItem(UsageRecordingChatClient.CostAttribute)!, 12);

        // ForceFlush and Dispose both export; the last export holds the cumulative totals.
        var usage = metrics.Last(m => m.Name == "gen_ai.client.token.usage");
        var byType = new Dictionary<string, double>();
        foreach (ref readonly var point in usage.GetMetricPoints())
        {
            foreach (var tag in point.Tags)
            {
                if (tag.Key == "gen_ai.token.type")
                {
                    byType[(string)tag.Value!] = point.GetHistogramSum();
                }
            }
        }

        Assert.Equal(1234, byType["input"]);
        Assert.Equal(56, byType["output"]);
        Assert.Contains(metrics, m => m.Name == "gen_ai.client.operation.duration");
        Assert.Contains(metrics, m => m.Name == "opsassistant.llm.cost");
    }

    [Fact]
    public async Task LlmCall_ByDefault_DoesNotRecordPromptContentOnSpans()
    {
        _server.ThenJson(Answer);
        var spans = new List<Activity>();
        using (var tracer = Sdk.CreateTracerProviderBuilder().AddSource(OpsAssistantTelemetry.SourceName).AddInMemoryExporter(spans).Build())
        {
            await using var sp = LlmTestServices.Build(_server.V1Endpoint);
            await sp.GetRequiredService<IRcaLlmClient>().CompleteAsync(LlmTestServices.Variables("secret-ish trace text xyzzy"));
            tracer.ForceFlush();
        }

        var chat = Assert.Single(spans);
        Assert.DoesNotContain(chat.TagObjects, t => t.Value?.ToString()?.Contains("xyzzy", StringComparison.Ordinal) == true);
        Assert.DoesNotContain(chat.Events.SelectMany(e => e.Tags), t => t.Value?.ToString()?.Contains("xyzzy", StringComparison.Ordinal) == true);
    }
}
