using OpsAssistant.Core.Analysis.Findings;
using OpsAssistant.Core.Model;

namespace OpsAssistant.Core.Analysis;

/// <summary>
/// The deterministic analysis: repairs the tree, computes self time and the critical path, and runs every detector.
/// Linear or n·log n in the number of spans; knows nothing of LLMs or HTTP.
/// </summary>
public static class TraceAnalyzer
{
    private const int MaxItems = 25;

    public static TraceAnalysis Analyze(Trace trace)
    {
        var tree = SpanTree.Build(trace);
        var timing = Timing.Compute(tree);
        var refs = new SpanRef?[tree.Count];
        SpanRef RefOf(int i) => refs[i] ??= new SpanRef(tree[i].SpanId, tree[i].ServiceName, tree[i].Name, Math.Round(tree.DurationMs(i), 3));

        var total = Math.Max(1, tree.Duration(tree.Root));
        double Pct(long ns) => Math.Round(Math.Min(100, ns * 100.0 / total), 1);

        var (errors, timeouts) = ErrorDetector.Detect(tree, RefOf);
        var (repeated, retries) = PatternDetector.Repetition(tree, timing, RefOf);
        var criticalPath = timing.Path
            .Select(i => new CriticalPathItem(RefOf(i), Math.Round(timing.OnPath[i] / 1e6, 3), Math.Round(timing.Self[i] / 1e6, 3), Pct(timing.OnPath[i])))
            .ToList();
        var hotspots = Enumerable.Range(0, tree.Count)
            .Where(i => timing.OnPath[i] > 0)
            .OrderByDescending(i => timing.OnPath[i])
            .Take(MaxItems)
            .Select(i => new Hotspot(RefOf(i), Math.Round(timing.Self[i] / 1e6, 3), Math.Round(timing.OnPath[i] / 1e6, 3), Pct(timing.OnPath[i]),
                SpanSignals.IsClientLike(tree[i]) && tree.Children(i).Length == 0, SpanSignals.Peer(tree[i])))
            .ToList();
        var services = Enumerable.Range(0, tree.Count)
            .GroupBy(i => tree[i].ServiceName)
            .Select(g => new ServiceTime(g.Key, g.Count(), g.Count(i => SpanSignals.ErrorSignal(tree[i]) is not null),
                Math.Round(g.Sum(i => timing.Self[i]) / 1e6, 3), Math.Round(g.Sum(i => timing.OnPath[i]) / 1e6, 3)))
            .OrderByDescending(s => s.OnPathMs)
            .ToList();

        var root = tree[tree.Root];
        var findings = new TraceFindings
        {
            TraceId = trace.TraceId,
            Overview = new TraceOverview(RefOf(tree.Root), Math.Round(tree.DurationMs(tree.Root), 3), tree.Count, services.Count,
                errors.Count, DateTimeOffset.FromUnixTimeMilliseconds(Math.Clamp(root.StartUnixNano / 1_000_000, 0, 253_402_300_799_999))),
            Warnings = tree.Warnings,
            CriticalPath = criticalPath,
            Errors = errors.Take(MaxItems * 2).ToList(),
            Timeouts = timeouts,
            ColdStart = ColdStartDetector.Detect(tree, RefOf),
            Hotspots = hotspots,
            RepeatedCalls = repeated.Take(MaxItems).ToList(),
            Retries = retries.Take(MaxItems).ToList(),
            Waits = PatternDetector.Waits(tree, timing, RefOf).Take(MaxItems).ToList(),
            Resources = PatternDetector.Resources(tree, timing, RefOf).Take(MaxItems).ToList(),
            Services = services.Take(MaxItems * 2).ToList(),
        };
        return new TraceAnalysis(tree, timing, findings);
    }
}
