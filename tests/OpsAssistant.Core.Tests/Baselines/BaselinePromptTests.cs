using OpsAssistant.Core.Analysis;
using OpsAssistant.Core.Model;
using OpsAssistant.Core.Prompting;
using OpsAssistant.Core.Results;
using TraceBuilder = OpsAssistant.Core.Tests.Analysis.TraceBuilder;

namespace OpsAssistant.Core.Tests.Baselines;

public sealed class BaselinePromptTests
{
    [Fact]
    public void Write_HypothesisWithBaseline_KeepsItsComparisonLineAmongTheThree()
    {
        var (trace, result) = Result(baseline: true);
        var lines = Evidence(trace, result);
        Assert.Equal(["one", "two", "Baseline: took 300 ms; p50 1 ms"], lines);
    }

    [Fact]
    public void Write_HypothesisWithoutBaseline_KeepsTheFirstThreeLines()
    {
        var (trace, result) = Result(baseline: false);
        Assert.Equal(["one", "two", "three"], Evidence(trace, result));
    }

    private static List<string> Evidence(Trace trace, AnalysisResult result) =>
        new FindingsPromptWriter(SecretRedactor.Default).Write(trace, result)
            .Single(s => s.Title.StartsWith("Deterministic hypotheses", StringComparison.Ordinal)).Lines
            .Where(l => l.Text.StartsWith("-   evidence: ", StringComparison.Ordinal)).Select(l => l.Text["-   evidence: ".Length..]).ToList();

    private static (Trace, AnalysisResult) Result(bool baseline)
    {
        var t = new TraceBuilder();
        var root = t.Add("web", "GET /report", 0, 400, kind: SpanKind.Server);
        var cache = t.Add("web", "MGET", 10, 300, root, SpanKind.Client);
        var trace = t.Build();
        TraceAnalysisCache.GetOrAnalyze(trace);
        var result = new AnalysisResult
        {
            TraceId = trace.TraceId,
            Hypotheses =
            [
                new Hypothesis
                {
                    Rank = 1, Title = "MGET regressed", Category = Categories.Latency, Confidence = 0.9, Service = "web", Operation = "MGET", SpanIds = [cache],
                    Evidence = ["one", "two", "three", .. baseline ? new[] { "Baseline: took 300 ms; p50 1 ms" } : []],
                    Baseline = baseline ? new HypothesisBaseline { Verdict = BaselineVerdicts.AboveP99, DurationMs = 300, Source = "case" } : null,
                },
            ],
        };
        return (trace, result);
    }
}
