using OpsAssistant.Core.Evaluation;

namespace OpsAssistant.Core.Tests.Evaluation;

public sealed class EvalScoringTests
{
    private static EvalCaseResult R(string name, int? rank, string category = "error", string? error = null, int prompt = 0, double ms = 0, bool abstained = false) =>
        new() { Case = name, Rank = rank, Category = category, Error = error, PromptTokens = prompt, ElapsedMs = ms, Abstained = abstained };

    [Fact]
    public void Summarise_MixedRanks_ComputesTopKAndMrr()
    {
        var report = EvalScoring.Summarise([R("a", 1), R("b", 2), R("c", 3), R("d", 4), R("e", null)]);

        Assert.Equal(5, report.Cases);
        Assert.Equal(0.2, report.Top1);
        Assert.Equal(0.6, report.Top3);
        // (1 + 1/2 + 1/3 + 1/4 + 0) / 5
        Assert.Equal(Math.Round((1 + 0.5 + 1.0 / 3 + 0.25) / 5, 4), report.Mrr);
    }

    [Fact]
    public void Summarise_ErroredCase_CountsAsMissButNotInMeans()
    {
        var report = EvalScoring.Summarise([R("a", 1, prompt: 100, ms: 10), R("b", null, error: "trace unreadable", prompt: 0, ms: 0)]);

        Assert.Equal(2, report.Cases);
        Assert.Equal(1, report.Errored);
        Assert.Equal(0.5, report.Top1);
        Assert.Equal(0.5, report.Mrr);
        Assert.Equal(100, report.MeanPromptTokens);
        Assert.Equal(10, report.MeanElapsedMs);
    }

    [Fact]
    public void Summarise_SeveralCategories_AggregatesEachSortedByName()
    {
        var report = EvalScoring.Summarise(
        [
            R("a", 1, "latency", prompt: 200), R("b", null, "latency", prompt: 400, abstained: true),
            R("c", 2, "cold-start", prompt: 50), R("d", null, "cold-start", error: "expected.json is missing"),
        ]);

        Assert.Equal(["cold-start", "latency"], report.Categories.Select(c => c.Category));
        var cold = report.Categories[0];
        Assert.Equal(2, cold.Cases);
        Assert.Equal(0, cold.Top1);
        Assert.Equal(0.5, cold.Top3);
        Assert.Equal(0.25, cold.Mrr);
        Assert.Equal(1, cold.Errored);
        Assert.Equal(50, cold.MeanPromptTokens);
        var latency = report.Categories[1];
        Assert.Equal(0.5, latency.Top1);
        Assert.Equal(1, latency.Abstained);
        Assert.Equal(300, latency.MeanPromptTokens);
        Assert.Equal(1, report.Abstained);
    }

    [Fact]
    public void Summarise_NoCases_IsAllZeroes()
    {
        var report = EvalScoring.Summarise([]);
        Assert.Equal(0, report.Cases);
        Assert.Equal(0, report.Top1);
        Assert.Empty(report.Categories);
    }

    [Fact]
    public void SummaryLine_ReadsAsTheContractExample()
    {
        var report = EvalScoring.Summarise([R("a", 1), R("b", 1), R("c", null, abstained: true), R("d", null, error: "x")]);
        // Three claims, all abstentions (no hypotheses: stated probability 1), two right: ECE |2/3 - 1| = 0.333.
        Assert.Equal("eval: 4 cases, top1 0.500, top3 0.500, mrr 0.500, abstained 1, errored 1, ece 0.333", report.SummaryLine());
    }
}
