using System.Globalization;
using OpsAssistant.Core.Analysis;
using OpsAssistant.Core.Model;
using OpsAssistant.Core.Results;
using OpsAssistant.Core.Tests.Analysis;

namespace OpsAssistant.Core.Tests.Hardening;

/// <summary>
/// The analyser on trees no tracer should produce: cycles, self-parenting, 100k-deep chains. It runs on a thread with an
/// ordinary 1 MB stack, so recursion over the tree depth shows up as a failure here, not a crashed service.
/// </summary>
public sealed class PathologicalTreeTests
{
    private static string Id(int i) => (i + 1).ToString("x16", CultureInfo.InvariantCulture);

    private static void AnalysesCitingOnlyExistingSpans(Trace trace)
    {
        AnalysisResult? result = null;
        BadInputHarness.Assert("analyzer-trees", System.Text.Encoding.UTF8.GetBytes($"{trace.Spans.Count}:{string.Join(',', trace.Spans.Take(8).Select(s => s.SpanId + "<" + s.ParentSpanId))}"),
            _ => result = HeuristicRanker.Rank(TraceAnalyzer.Analyze(trace)), typeof(NeverThrown), keep: false);
        var ids = trace.Spans.Select(s => s.SpanId).ToHashSet(StringComparer.Ordinal);
        Assert.NotNull(result);
        Assert.NotEmpty(result.Hypotheses);
        Assert.All(result.Hypotheses, h => Assert.All(h.SpanIds, id => Assert.Contains(id, ids)));
    }

    [Theory]
    [InlineData(100_000)]
    [InlineData(20_000)]
    public void Analyze_ChainOfDepth_DoesNotOverflowTheStack(int depth)
    {
        var t = new TraceBuilder();
        for (var i = 0; i < depth; i++)
        {
            t.Add("svc-" + (i % 7), "op-" + (i % 11), i * 0.001, (depth - i) * 0.002, parent: i == 0 ? null : Id(i - 1), error: i == depth - 1, id: Id(i));
        }

        AnalysesCitingOnlyExistingSpans(t.Build());
    }

    [Fact]
    public void Analyze_EverySpanItsOwnParent_DoesNotLoop()
    {
        var t = new TraceBuilder();
        for (var i = 0; i < 50; i++)
        {
            t.Add("svc", "op", i, 10, parent: Id(i), error: i == 3, id: Id(i));
        }

        AnalysesCitingOnlyExistingSpans(t.Build());
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(100_000)]
    public void Analyze_OneBigParentCycleWithNoRoot_DoesNotLoop(int length)
    {
        var t = new TraceBuilder();
        for (var i = 0; i < length; i++)
        {
            t.Add("svc-" + (i % 3), "op", i * 0.01, 5, parent: Id((i + 1) % length), error: i == length / 2, id: Id(i));
        }

        AnalysesCitingOnlyExistingSpans(t.Build());
    }

    [Fact]
    public void Analyze_CycleHangingUnderARealRoot_DoesNotLoop()
    {
        var t = new TraceBuilder();
        t.Add("edge", "GET /", 0, 100, id: Id(0));
        for (var i = 1; i <= 1000; i++)
        {
            // 1..1000 chain under the root, then 1000 points back at 500: a cycle reachable from nowhere else.
            t.Add("svc", "op-" + i, i * 0.05, 50, parent: i == 1 ? Id(0) : i == 500 ? Id(1000) : Id(i - 1), error: i == 999, id: Id(i));
        }

        AnalysesCitingOnlyExistingSpans(t.Build());
    }

    [Fact]
    public void Analyze_DuplicateIdsAndParentsPointingAtThem_DoesNotLoop()
    {
        var t = new TraceBuilder();
        for (var i = 0; i < 200; i++)
        {
            t.Add("svc", "op-" + (i % 4), i, 3, parent: i % 2 == 0 ? Id(0) : Id(1), error: i % 17 == 0, id: Id(i % 3));
        }

        AnalysesCitingOnlyExistingSpans(t.Build());
    }

    [Fact]
    public void Analyze_HugeFanOutWithExtremeTimes_DoesNotThrow()
    {
        var t = new TraceBuilder();
        t.Add("edge", "root", 0, 1, id: Id(0));
        for (var i = 1; i < 50_000; i++)
        {
            t.Add("svc-" + (i % 13), "call", i % 2 == 0 ? -1e9 : 1e9, i % 3 == 0 ? 0 : 1e6, parent: Id(0), error: i % 101 == 0, id: Id(i));
        }

        AnalysesCitingOnlyExistingSpans(t.Build());
    }

    /// <summary>No exception type is allowed: the analyser must not throw at all.</summary>
    private abstract class NeverThrown : Exception;
}
