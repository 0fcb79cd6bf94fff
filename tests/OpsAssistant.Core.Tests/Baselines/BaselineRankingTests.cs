using OpsAssistant.Core.Analysis;
using OpsAssistant.Core.Baselines;
using OpsAssistant.Core.Model;
using OpsAssistant.Core.Results;
using TraceBuilder = OpsAssistant.Core.Tests.Analysis.TraceBuilder;

namespace OpsAssistant.Core.Tests.Baselines;

public sealed class BaselineRankingTests
{
    private static readonly DateTimeOffset To = new(2025, 6, 2, 0, 0, 0, TimeSpan.Zero);

    /// <summary>A report query that always takes 2 s and a cache read that normally takes 1 ms but took 300 ms.</summary>
    private static Trace SlowReportAndRegressedCache(bool cacheFails = false)
    {
        var t = new TraceBuilder();
        var root = t.Add("web", "GET /report", 0, 2400, kind: SpanKind.Server);
        t.Add("web", "SELECT report_rows", 10, 2000, root, SpanKind.Client);
        t.Add("web", "MGET", 2020, 300, root, SpanKind.Client, error: cacheFails, message: cacheFails ? "connection reset" : null);
        t.Add("web", "GET /report/cache", 2330, 4, root, SpanKind.Client);
        return t.Build();
    }

    private static OperationBaseline B(string op, SpanKind kind, double p50, double p99, double errorRate = 0, long count = 10_000) => new()
    {
        Service = "web", Operation = op, Kind = kind, P50Ms = p50, P90Ms = (p50 + p99) / 2, P99Ms = p99, ErrorRate = errorRate, Count = count,
        From = To.AddHours(-24), To = To,
    };

    private static BaselineSet History(params OperationBaseline[] extra) => new(
    [
        B("GET /report", SpanKind.Server, 2200, 3500),
        B("SELECT report_rows", SpanKind.Client, 1800, 3000),
        B("MGET", SpanKind.Client, 0.8, 3),
        B("GET /report/cache", SpanKind.Client, 3, 8),
        .. extra,
    ], "case");

    [Fact]
    public void Rank_WithoutBaselines_NamesTheSlowButNormalQuery()
    {
        var result = HeuristicRanker.Rank(TraceAnalyzer.Analyze(SlowReportAndRegressedCache()), null);
        Assert.Equal("SELECT report_rows", result.Hypotheses[0].Operation);
        Assert.All(result.Hypotheses, h => Assert.Null(h.Baseline));
    }

    [Fact]
    public void Rank_EmptyBaselines_IsExactlyTheRankingWithout()
    {
        var analysis = TraceAnalyzer.Analyze(SlowReportAndRegressedCache());
        var without = HeuristicRanker.Rank(analysis) with { AnalysisId = "x" };
        var empty = HeuristicRanker.Rank(analysis, BaselineSet.Empty) with { AnalysisId = "x" };
        Assert.Equal(ResultJsonText(without), ResultJsonText(empty));
    }

    [Fact]
    public void Rank_RegressedFastCall_RanksFirstAndStatesItsBaseline()
    {
        var result = HeuristicRanker.Rank(TraceAnalyzer.Analyze(SlowReportAndRegressedCache()), History());
        var top = result.Hypotheses[0];
        Assert.Equal("MGET", top.Operation);
        Assert.Equal(BaselineVerdicts.AboveP99, top.Baseline!.Verdict);
        Assert.Equal(3, top.Baseline.P99Ms);
        Assert.Equal(10_000, top.Baseline.Count);
        Assert.Contains(top.Evidence, e => e.Contains("p50 0.8 ms", StringComparison.Ordinal) && e.Contains("over the last 24 h, n = 10,000", StringComparison.Ordinal));
    }

    [Fact]
    public void Rank_SlowButNormalSpan_LosesConfidenceAndSaysSo()
    {
        var analysis = TraceAnalyzer.Analyze(SlowReportAndRegressedCache());
        var before = HeuristicRanker.Rank(analysis).Hypotheses.Single(h => h.Operation == "SELECT report_rows");
        var after = HeuristicRanker.Rank(analysis, History()).Hypotheses.Single(h => h.Operation == "SELECT report_rows");
        Assert.True(after.Confidence < before.Confidence / 2, $"{after.Confidence} vs {before.Confidence}");
        Assert.Equal(BaselineVerdicts.Normal, after.Baseline!.Verdict);
        Assert.Contains(after.Evidence, e => e.Contains("within its normal range", StringComparison.Ordinal));
    }

    [Fact]
    public void Rank_OperationNeverSeen_IsFlaggedNew()
    {
        var t = new TraceBuilder();
        var root = t.Add("web", "GET /report", 0, 2600, kind: SpanKind.Server);
        t.Add("web", "SELECT report_rows", 10, 2000, root, SpanKind.Client);
        t.Add("web", "RerankWithModel", 2020, 350, root);
        var result = HeuristicRanker.Rank(TraceAnalyzer.Analyze(t.Build()), History());
        var top = result.Hypotheses[0];
        Assert.Equal("RerankWithModel", top.Operation);
        Assert.Equal(BaselineVerdicts.New, top.Baseline!.Verdict);
        Assert.Contains(top.Evidence, e => e.Contains("is new", StringComparison.Ordinal));
    }

    [Fact]
    public void Rank_ErrorOnOftenFailingOperation_CountsLess()
    {
        var analysis = TraceAnalyzer.Analyze(ErrorTrace());
        var rare = HeuristicRanker.Rank(analysis, new BaselineSet([B("GET /flaky", SpanKind.Client, 5, 20, errorRate: 0.001)], "case"))
            .Hypotheses.First(h => h.Operation == "GET /flaky");
        var usual = HeuristicRanker.Rank(analysis, new BaselineSet([B("GET /flaky", SpanKind.Client, 5, 20, errorRate: 0.3)], "case"))
            .Hypotheses.First(h => h.Operation == "GET /flaky");
        Assert.Equal(BaselineVerdicts.ErrorsRare, rare.Baseline!.Verdict);
        Assert.Equal(BaselineVerdicts.ErrorsUsual, usual.Baseline!.Verdict);
        Assert.True(usual.Confidence < rare.Confidence, $"{usual.Confidence} vs {rare.Confidence}");
    }

    [Fact]
    public void Rank_ThinBaseline_IsNotJudgedBy()
    {
        var result = HeuristicRanker.Rank(TraceAnalyzer.Analyze(SlowReportAndRegressedCache()),
            new BaselineSet([B("SELECT report_rows", SpanKind.Client, 1800, 3000, count: 5), B("MGET", SpanKind.Client, 0.8, 3, count: 5)], "case"));
        Assert.Equal("SELECT report_rows", result.Hypotheses[0].Operation);
        Assert.Null(result.Hypotheses[0].Baseline);
    }

    [Fact]
    public void Find_SpanWithoutKind_UsesTheOperationsBaselineOfAnyKind()
    {
        var set = History();
        Assert.NotNull(set.Find("WEB", "mget", SpanKind.Unspecified));
        Assert.Null(set.Find("web", "MGET", SpanKind.Server));
    }

    [Fact]
    public async Task AnalyzeAsync_AsksTheProviderOnceForEveryOperation_AsOfTheTracesStart()
    {
        var provider = new CountingProvider(History());
        var trace = SlowReportAndRegressedCache();
        var result = await new HeuristicEngine(provider).AnalyzeAsync(trace, TestContext.Current.CancellationToken);
        Assert.Equal("MGET", result.Hypotheses[0].Operation);
        Assert.Equal(1, provider.Calls);
        Assert.Equal(4, provider.Asked!.Count);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(trace.Spans.Min(s => s.StartUnixNano) / 1_000_000), provider.AsOf);
    }

    [Fact]
    public async Task AnalyzeAsync_ScopedBaselines_TakeTheProvidersPlace()
    {
        var provider = new CountingProvider(History());
        using (BaselineScope.Use(BaselineSet.Empty))
        {
            var result = await new HeuristicEngine(provider).AnalyzeAsync(SlowReportAndRegressedCache(), TestContext.Current.CancellationToken);
            Assert.Equal("SELECT report_rows", result.Hypotheses[0].Operation);
        }

        Assert.Equal(0, provider.Calls);
    }

    private sealed class CountingProvider(BaselineSet answer) : IBaselineProvider
    {
        public int Calls { get; private set; }

        public IReadOnlyCollection<OperationKey>? Asked { get; private set; }

        public DateTimeOffset? AsOf { get; private set; }

        public ValueTask<BaselineSet> GetBaselinesAsync(IReadOnlyCollection<OperationKey> operations, DateTimeOffset asOf, CancellationToken cancellationToken = default)
        {
            Calls++;
            Asked = operations;
            AsOf = asOf;
            return ValueTask.FromResult(answer);
        }
    }

    private static Trace ErrorTrace()
    {
        var t = new TraceBuilder();
        var root = t.Add("web", "GET /page", 0, 40, kind: SpanKind.Server);
        t.Add("web", "GET /flaky", 5, 10, root, SpanKind.Client, error: true, message: "503 upstream unavailable");
        return t.Build();
    }

    private static string ResultJsonText(AnalysisResult result) => System.Text.Json.JsonSerializer.Serialize(result with { ElapsedMs = 0 }, ResultJson.Options);
}
