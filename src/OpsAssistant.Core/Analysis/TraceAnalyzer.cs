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
        var refOf = new SpanRefMemo(tree).Get;

        var total = Math.Max(1, tree.Duration(tree.Root));
        double Pct(long ns) => Math.Round(Math.Min(100, ns * 100.0 / total), 1);

        var (errors, timeouts) = ErrorDetector.Detect(tree, refOf);
        var (repeated, retries) = PatternDetector.Repetition(tree, timing, refOf);
        var criticalPath = new CriticalPathItems(timing.Path, timing, refOf, Pct);
        var hotspots = LargestOnPath(timing.OnPath, MaxItems)
            .Select(i => new Hotspot(refOf(i), Math.Round(timing.Self[i] / 1e6, 3), Math.Round(timing.OnPath[i] / 1e6, 3), Pct(timing.OnPath[i]),
                SpanSignals.IsClientLike(tree[i]) && tree.Children(i).Length == 0, SpanSignals.Peer(tree[i])))
            .ToList();
        var services = ServiceTimes(tree, timing);

        var root = tree[tree.Root];
        var findings = new TraceFindings
        {
            TraceId = trace.TraceId,
            Overview = new TraceOverview(refOf(tree.Root), Math.Round(tree.DurationMs(tree.Root), 3), tree.Count, services.Count,
                errors.Count, DateTimeOffset.FromUnixTimeMilliseconds(Math.Clamp(root.StartUnixNano / 1_000_000, 0, 253_402_300_799_999))),
            Warnings = tree.Warnings,
            CriticalPath = criticalPath,
            Errors = errors.Take(MaxItems * 2).ToList(),
            Timeouts = timeouts,
            ColdStart = ColdStartDetector.Detect(tree, refOf),
            Hotspots = hotspots,
            RepeatedCalls = repeated.Take(MaxItems).ToList(),
            Retries = retries.Take(MaxItems).ToList(),
            Waits = PatternDetector.Waits(tree, timing, refOf).Take(MaxItems).ToList(),
            Resources = PatternDetector.Resources(tree, timing, refOf).Take(MaxItems).ToList(),
            Queues = QueueDetector.Detect(tree, timing, refOf, MaxItems),
            Services = services.Take(MaxItems * 2).ToList(),
        };
        return new TraceAnalysis(tree, timing, findings);
    }

    /// <summary>
    /// The <paramref name="count"/> spans with the most on-path time (those with any), largest first, ties by index: what
    /// a stable sort of every span by on-path time then taking the first few gave, without sorting 100k spans for 25.
    /// A small sorted buffer takes each span that beats its last entry.
    /// </summary>
    private static List<int> LargestOnPath(long[] onPath, int count)
    {
        var top = new List<int>(count + 1);
        for (var i = 0; i < onPath.Length; i++)
        {
            if (onPath[i] <= 0 || (top.Count == count && onPath[i] <= onPath[top[^1]]))
            {
                continue;
            }

            // Insert after every entry with at least as much on-path time: equal values keep index order.
            var at = top.Count;
            while (at > 0 && onPath[top[at - 1]] < onPath[i])
            {
                at--;
            }

            top.Insert(at, i);
            if (top.Count > count)
            {
                top.RemoveAt(count);
            }
        }

        return top;
    }

    /// <summary>
    /// Per-service span count, errors, self and on-path time in one pass over the spans, services in order of first
    /// appearance, then stably by on-path time (GroupBy kept a list of every span per service).
    /// </summary>
    private static List<ServiceTime> ServiceTimes(SpanTree tree, Timing timing)
    {
        var slot = new Dictionary<string, int>(StringComparer.Ordinal);
        var names = new List<string>();
        var spans = new List<int>();
        var errors = new List<int>();
        var self = new List<long>();
        var onPath = new List<long>();
        string? lastName = null;
        var k = -1;
        for (var i = 0; i < tree.Count; i++)
        {
            // Neighbouring spans mostly belong to one service and share its name string: no lookup for those.
            var name = tree[i].ServiceName;
            if (!ReferenceEquals(name, lastName))
            {
                lastName = name;
                if (!slot.TryGetValue(name, out k))
                {
                    k = names.Count;
                    slot[name] = k;
                    names.Add(name);
                    spans.Add(0);
                    errors.Add(0);
                    self.Add(0);
                    onPath.Add(0);
                }
            }

            spans[k]++;
            errors[k] += SpanSignals.ErrorSignal(tree[i]) is null ? 0 : 1;
            // Checked, as Enumerable.Sum was: absurd clamped timestamps overflow loudly rather than wrap.
            self[k] = checked(self[k] + timing.Self[i]);
            onPath[k] = checked(onPath[k] + timing.OnPath[i]);
        }

        return Enumerable.Range(0, names.Count)
            .Select(s => new ServiceTime(names[s], spans[s], errors[s], Math.Round(self[s] / 1e6, 3), Math.Round(onPath[s] / 1e6, 3)))
            .OrderByDescending(t => t.OnPathMs)
            .ToList();
    }
}
