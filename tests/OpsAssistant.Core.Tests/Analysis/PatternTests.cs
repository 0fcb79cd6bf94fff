using OpsAssistant.Core.Analysis;
using OpsAssistant.Core.Model;
using OpsAssistant.Core.Results;
using static OpsAssistant.Core.Tests.Analysis.TraceBuilder;

namespace OpsAssistant.Core.Tests.Analysis;

/// <summary>Each pattern on a constructed trace, next to a decoy that a naive rule would pick.</summary>
public sealed class PatternTests
{
    [Fact]
    public void Analyze_RetriedThenSucceededError_IsNotRankedAboveTheRealFailure()
    {
        var t = new TraceBuilder();
        var root = t.Add("checkout", "PlaceOrder", 0, 300, kind: SpanKind.Server, error: true);
        var firstTry = t.Add("checkout", "GET /stock", 5, 20, root, SpanKind.Client, error: true);
        t.Add("inventory", "GET /stock", 6, 18, firstTry, SpanKind.Server, error: true, message: "503 warming up");
        t.Add("checkout", "GET /stock", 30, 20, root, SpanKind.Client);
        var pay = t.Add("checkout", "Charge", 60, 100, root, SpanKind.Client, error: true);
        t.Add("payment", "Charge", 62, 96, pay, SpanKind.Server, error: true, message: "card declined");

        var result = Rank(t);

        Assert.Equal(("payment", "Charge"), (result.Hypotheses[0].Service, result.Hypotheses[0].Operation));
        var decoy = result.Hypotheses.SingleOrDefault(h => h.Service == "inventory");
        Assert.True(decoy is null || decoy.Confidence <= 0.1);
    }

    [Fact]
    public void Analyze_LongAsyncSpanOffTheCriticalPath_DoesNotBeatTheRealHotspot()
    {
        var t = new TraceBuilder();
        var root = t.Add("api", "GET /report", 0, 1000, kind: SpanKind.Server);
        t.Add("api", "refresh-cache", 10, 5000, root, followsFrom: true);
        var q = t.Add("api", "query", 50, 900, root, SpanKind.Client, attributes: [A("db.system", "postgresql")]);
        t.Add("db", "SELECT report", 60, 880, q, SpanKind.Server);

        var result = Rank(t);

        Assert.Equal(("db", "SELECT report"), (result.Hypotheses[0].Service, result.Hypotheses[0].Operation));
        Assert.DoesNotContain(result.Hypotheses, h => h.Operation == "refresh-cache");
    }

    [Fact]
    public void Analyze_SequentialRepeatsAreNPlusOneButConcurrentFanOutIsNot()
    {
        var t = new TraceBuilder();
        var root = t.Add("orders", "GET /orders", 0, 700, kind: SpanKind.Server);
        for (var i = 0; i < 20; i++)
        {
            t.Add("orders", "SELECT order_items", 10 + i * 30, 28, root, SpanKind.Client, attributes: [A("db.system", "mysql")]);
        }

        var fan = t.Add("orders", "price-all", 620, 70, root);
        for (var i = 0; i < 12; i++)
        {
            t.Add("orders", "GET /price", 621 + i, 60, fan, SpanKind.Client, attributes: [A("server.address", "pricing"), A("server.port", 80L)]);
        }

        var analysis = TraceAnalyzer.Analyze(t.Build());
        var result = HeuristicRanker.Rank(analysis);

        var nPlusOne = Assert.Single(result.Hypotheses, h => h.Category == Categories.NPlusOne);
        Assert.Equal("SELECT order_items", nPlusOne.Operation);
        Assert.Equal(1, nPlusOne.Rank);
        Assert.False(analysis.Findings.RepeatedCalls.Single(r => r.Operation == "GET /price").Sequential);
    }

    [Fact]
    public void Analyze_ChildOnAnotherHostOutsideItsParent_IsShiftedInWithAWarning()
    {
        var t = new TraceBuilder();
        var root = t.Add("frontend", "GET /", 0, 100, kind: SpanKind.Server);
        var call = t.Add("frontend", "GET /cart", 10, 80, root, SpanKind.Client);
        var skewed = t.Add("cart", "GET /cart", -240, 70, call, SpanKind.Server);

        var analysis = TraceAnalyzer.Analyze(t.Build());

        var tree = analysis.Tree;
        var i = tree.Index[skewed];
        var p = tree.Index[call];
        Assert.InRange(tree.Start[i], tree.Start[p], tree.End[p]);
        Assert.InRange(tree.End[i], tree.Start[p], tree.End[p]);
        Assert.Contains(analysis.Findings.Warnings, w => w.Contains("Clock skew corrected", StringComparison.Ordinal));
    }

    [Fact]
    public void Analyze_OrphansCyclesAndExtraRoots_AreRepairedWithWarnings()
    {
        var t = new TraceBuilder();
        var root = t.Add("a", "root", 0, 100, kind: SpanKind.Server);
        t.Add("a", "child", 5, 10, root);
        t.Add("b", "orphan", 20, 10, "ffffffffffffffff");
        t.Add("c", "x", 30, 5, "00000000000000a2", id: "00000000000000a1");
        t.Add("c", "y", 31, 3, "00000000000000a1", id: "00000000000000a2");
        t.Add("d", "second-root", 40, 5);

        var analysis = TraceAnalyzer.Analyze(t.Build());

        Assert.Equal(root, analysis.Tree[analysis.Tree.Root].SpanId);
        Assert.Equal(6, analysis.Tree.PreOrder().Count());
        Assert.Contains(analysis.Findings.Warnings, w => w.Contains("orphans", StringComparison.Ordinal));
        Assert.Contains(analysis.Findings.Warnings, w => w.Contains("cycle", StringComparison.Ordinal));
        Assert.Contains(analysis.Findings.Warnings, w => w.Contains("root spans", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(2400, 300, "PrepareCode", "shrink the package")]
    [InlineData(300, 2400, "RuntimeInitialization", "health check")]
    public void Analyze_FunctionComputeColdStart_NamesTheDominantPhaseAndItsRemedy(double prepare, double runtime, string phase, string advice)
    {
        var t = new TraceBuilder();
        var root = t.Add("svc", "svc/resize-image", 0, prepare + runtime + 500, kind: SpanKind.Server);
        var cold = t.Add("svc", "ColdStart", 0, prepare + runtime, root);
        t.Add("svc", "PrepareCode", 0, prepare, cold);
        t.Add("svc", "RuntimeInitialization", prepare, runtime, cold);
        t.Add("svc", "InvokeFunction", prepare + runtime, 480, root);

        var top = Rank(t).Hypotheses[0];

        Assert.Equal(Categories.ColdStart, top.Category);
        Assert.Equal(phase, top.Operation);
        Assert.Contains(advice, top.Remediation, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Analyze_LambdaInitialization_IsTheColdStart()
    {
        var t = new TraceBuilder();
        var root = t.Add("orders-fn", "orders-fn", 0, 2000, kind: SpanKind.Server);
        t.Add("orders-fn", "Initialization", 0, 1500, root);
        t.Add("orders-fn", "Invocation", 1500, 450, root);
        t.Add("orders-fn", "Overhead", 1950, 50, root);

        var top = Rank(t).Hypotheses[0];

        Assert.Equal((Categories.ColdStart, "Initialization"), (top.Category, top.Operation));
    }

    [Fact]
    public void Analyze_FaasColdstartAttribute_AttributesTheGapBeforeTheFirstChild()
    {
        var t = new TraceBuilder();
        var root = t.Add("fn", "handler", 0, 2500, kind: SpanKind.Server, attributes: [A("faas.coldstart", true), A("faas.trigger", "http")]);
        t.Add("fn", "work", 1900, 550, root);

        var analysis = TraceAnalyzer.Analyze(t.Build());

        Assert.Equal(1900, analysis.Findings.ColdStart!.TotalMs, 1);
        Assert.Equal(Categories.ColdStart, HeuristicRanker.Rank(analysis).Hypotheses[0].Category);
    }

    [Fact]
    public void Analyze_LockWait_IsContentionAndBeatsASlowButNormalQuery()
    {
        var t = new TraceBuilder();
        var root = t.Add("seats", "POST /reserve", 0, 1200, kind: SpanKind.Server);
        t.Add("seats", "SELECT seats", 5, 150, root, SpanKind.Client, attributes: [A("db.system", "postgresql")]);
        t.Add("seats", "acquire seat_inventory lock", 160, 900, root);
        t.Add("seats", "UPDATE seats", 1065, 100, root, SpanKind.Client, attributes: [A("db.system", "postgresql")]);

        var top = Rank(t).Hypotheses[0];

        Assert.Equal((Categories.Contention, "acquire seat_inventory lock"), (top.Category, top.Operation));
    }

    [Fact]
    public void Analyze_SlowClientCallWithNoServerSpan_IsADependencyNamedByTheCaller()
    {
        var t = new TraceBuilder();
        var root = t.Add("payment", "Charge", 0, 3000, kind: SpanKind.Server);
        t.Add("payment", "POST /v1/charges", 20, 2900, root, SpanKind.Client, attributes: [A("peer.service", "card-processor")]);

        var top = Rank(t).Hypotheses[0];

        Assert.Equal((Categories.Dependency, "payment", "POST /v1/charges"), (top.Category, top.Service, top.Operation));
        Assert.Contains("card-processor", top.Title, StringComparison.Ordinal);
    }

    [Fact]
    public void Analyze_RetryStorm_IsRetryOnTheRepeatedCall()
    {
        var t = new TraceBuilder();
        var root = t.Add("checkout", "Pay", 0, 3200, kind: SpanKind.Server, error: true);
        var at = 0.0;
        for (var i = 0; i < 5; i++)
        {
            t.Add("checkout", "POST gateway/authorize", at, 100, root, SpanKind.Client, error: true, message: "ECONNREFUSED");
            at += 100 + 100 * Math.Pow(2, i);
        }

        var top = Rank(t).Hypotheses[0];

        Assert.Equal((Categories.Retry, "POST gateway/authorize"), (top.Category, top.Operation));
    }

    [Fact]
    public void Analyze_GcPauseEvent_IsAResourceFinding()
    {
        var t = new TraceBuilder();
        var root = t.Add("cart", "GET /cart", 0, 1000, kind: SpanKind.Server, events: [new SpanEvent("jvm.gc", 0, [A("jvm.gc.name", "G1 Full"), A("jvm.gc.duration_ms", 850L)])]);
        t.Add("cart", "redis GET", 900, 5, root, SpanKind.Client, attributes: [A("db.system", "redis")]);

        var top = Rank(t).Hypotheses[0];

        Assert.Equal(Categories.Resource, top.Category);
        Assert.Contains("GC", top.Title, StringComparison.Ordinal);
    }

    [Fact]
    public void Analyze_HealthyTrace_SaysNothingStandsOutWithLowConfidence()
    {
        var t = new TraceBuilder();
        var root = t.Add("web", "GET /", 0, 100, kind: SpanKind.Server);
        for (var i = 0; i < 8; i++)
        {
            var call = t.Add("web", $"step-{i}", 2 + i * 12, 11, root);
            t.Add("svc-" + i, $"work-{i}", 3 + i * 12, 9, call, SpanKind.Server);
        }

        var result = Rank(t);

        var only = Assert.Single(result.Hypotheses);
        Assert.Equal(Categories.Unknown, only.Category);
        Assert.True(only.Confidence <= 0.2);
    }

    [Fact]
    public void CriticalPath_ConcurrentChildren_FollowsOnlyTheLastToFinish()
    {
        var t = new TraceBuilder();
        var root = t.Add("api", "GET", 0, 100, kind: SpanKind.Server);
        var fast = t.Add("a", "fast", 5, 30, root);
        var slow = t.Add("b", "slow", 5, 90, root);

        var analysis = TraceAnalyzer.Analyze(t.Build());

        var path = analysis.Findings.CriticalPath.Select(c => c.Span.SpanId).ToList();
        Assert.Contains(slow, path);
        Assert.DoesNotContain(fast, path);
        Assert.Equal(90, analysis.Findings.CriticalPath.Single(c => c.Span.SpanId == slow).OnPathMs, 1);
        Assert.Equal(10, analysis.Findings.CriticalPath.Single(c => c.Span.SpanId == root).OnPathMs, 1);
    }

    private static AnalysisResult Rank(TraceBuilder t) => HeuristicRanker.Rank(TraceAnalyzer.Analyze(t.Build()));
}
