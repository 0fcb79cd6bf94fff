using System.Text.Json;
using OpsAssistant.Core.Evaluation;
using OpsAssistant.Tests;

namespace OpsAssistant.Core.Tests.Evaluation;

public sealed class EvalReportTests
{
    private static EvalReport Sample(string spanName = "Charge") => EvalReportSamples.ThreeCases(spanName);

    [Fact]
    public void Serialize_TopLevelAndResultProperties_AreTheContractNames()
    {
        using var doc = JsonDocument.Parse(EvalReportJson.Serialize(Sample()));
        var names = doc.RootElement.EnumerateObject().Select(p => p.Name).ToList();

        Assert.Equal(
            ["cases", "top1", "top3", "mrr", "abstained", "meanPromptTokens", "meanInputTokens", "meanOutputTokens", "meanElapsedMs", "results"],
            names.Take(10));
        var result = doc.RootElement.GetProperty("results")[0];
        Assert.Equal(
            ["case", "rank", "service", "operation", "promptTokens", "inputTokens", "outputTokens", "elapsedMs", "error"],
            result.EnumerateObject().Select(p => p.Name).Take(9));
        Assert.Equal(JsonValueKind.Null, result.GetProperty("rank").ValueKind);
        Assert.Equal(JsonValueKind.Null, result.GetProperty("error").ValueKind);
        Assert.True(doc.RootElement.GetProperty("results")[2].GetProperty("errored").GetBoolean());
        Assert.Equal(3, doc.RootElement.GetProperty("cases").GetInt32());
    }
}
