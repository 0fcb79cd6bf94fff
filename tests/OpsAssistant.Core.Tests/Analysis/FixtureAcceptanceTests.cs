using OpsAssistant.Core.Analysis;
using OpsAssistant.Core.Formats;
using OpsAssistant.Core.Results;
using OpsAssistant.Core.Tests.Formats;

namespace OpsAssistant.Core.Tests.Analysis;

/// <summary>The six labelled captures give their manifests' answers.</summary>
public sealed class FixtureAcceptanceTests
{
    [Fact]
    public async Task Analyze_ErrorTimeoutMasked_RanksTheOkSpanThatUsedTheBudgetFirstNotTheProxy()
    {
        var result = await Analyze("labeled/error_timeout_masked.json");

        var top = result.Hypotheses[0];
        Assert.Equal(("frontend", "POST"), (top.Service, top.Operation));
        Assert.Equal("909a94f934468e91", top.SpanIds[0]);
        Assert.Contains("247a43490cfe60cd", top.SpanIds);
        Assert.True(result.Hypotheses.Single(h => h.Service == "frontend-proxy").Confidence < 0.5);
    }

    [Fact]
    public async Task Analyze_SiblingErrors_RanksTheEarlierFailureFirst()
    {
        var result = await Analyze("labeled/sibling_errors.json");

        Assert.Equal(("payment", "oteldemo.PaymentService/Charge"), (result.Hypotheses[0].Service, result.Hypotheses[0].Operation));
        Assert.Equal("d4e5f60718293a4b", result.Hypotheses[0].SpanIds[0]);
        Assert.Contains("card processor rejected", string.Join(" ", result.Hypotheses[0].Evidence), StringComparison.OrdinalIgnoreCase);
        var email = result.Hypotheses.Single(h => h.Service == "email");
        Assert.True(email.Confidence < result.Hypotheses[0].Confidence);
    }

    [Fact]
    public async Task Analyze_NPlusOnePositive_FlagsTheSerialGetDriverGroup()
    {
        var result = await Analyze("labeled/n_plus_one_positive.json");

        var nPlusOne = Assert.Single(result.Hypotheses, h => h.Category == Categories.NPlusOne);
        Assert.Equal(("redis-manual", "GetDriver"), (nPlusOne.Service, nPlusOne.Operation));
        Assert.Contains("be56eec6f3678130", nPlusOne.SpanIds);
        Assert.Equal(1, nPlusOne.Rank);
    }

    [Fact]
    public async Task Analyze_NPlusOneFullSerial_FlagsTheRouteGroupUnderTheManifestParent()
    {
        var result = await Analyze("labeled/n_plus_one_full_serial.json");

        var top = result.Hypotheses[0];
        Assert.Equal(Categories.NPlusOne, top.Category);
        Assert.Equal(("frontend", "HTTP GET"), (top.Service, top.Operation));
        Assert.Contains("9c3834fb5a6fea99", top.SpanIds);
    }

    [Fact]
    public async Task Analyze_NPlusOneFullConcurrent_DoesNotFlagTheOverlappingRouteGroupButFindsGetDriver()
    {
        var result = await Analyze("labeled/n_plus_one_full_concurrent.json");

        var flagged = result.Hypotheses.Where(h => h.Category == Categories.NPlusOne).ToList();
        Assert.DoesNotContain(flagged, h => h.SpanIds.Contains("97e1247531a58678"));
        Assert.Contains(flagged, h => h.Service == "redis-manual" && h.Operation == "GetDriver");
        Assert.Equal(("redis-manual", "GetDriver"), (result.Hypotheses[0].Service, result.Hypotheses[0].Operation));
    }

    [Fact]
    public async Task Analyze_NPlusOneNearMiss_IsNotAnNPlusOne()
    {
        var analysis = await Analysis("labeled/n_plus_one_near_miss.json");
        var result = HeuristicRanker.Rank(analysis);

        Assert.DoesNotContain(result.Hypotheses, h => h.Category == Categories.NPlusOne);
        var group = Assert.Single(analysis.Findings.RepeatedCalls, r => r.Parent.SpanId == "f3b8606bd90ad122");
        Assert.False(group.Sequential);
        Assert.Equal(("frontend", "HTTP GET"), (result.Hypotheses[0].Service, result.Hypotheses[0].Operation));
        Assert.Equal(Categories.Dependency, result.Hypotheses[0].Category);
    }

    private static async Task<AnalysisResult> Analyze(string file) => HeuristicRanker.Rank(await Analysis(file));

    private static async Task<TraceAnalysis> Analysis(string file) => TraceAnalyzer.Analyze(await FixtureFile.ReadSingleAsync(file));
}
