using System.Globalization;
using OpsAssistant.Core.Baselines;
using OpsAssistant.Core.Results;

namespace OpsAssistant.Core.Analysis;

/// <summary>
/// Compares the trace with what is normal for each of its operations. A hypothesis whose span is far above its operation's
/// p99 gains confidence; a slow span within its usual range loses it (slow but normal is not the cause); a span that
/// regressed far past its p99 becomes a hypothesis of its own even when its share of the trace is small; an operation never
/// seen in the window is flagged; an error on an operation that often fails counts less. With no baselines it does nothing.
/// </summary>
internal static class BaselineJudge
{
    /// <summary>A baseline drawn from fewer calls says too little to judge by.</summary>
    public const long MinSamples = 20;

    /// <summary>Up to this multiple of its p99 a duration is within the usual range (sketch error, clock jitter).</summary>
    private const double NormalMargin = 1.2;

    /// <summary>From this multiple of its p99 a span has regressed.</summary>
    private const double RegressedRatio = 2;

    /// <summary>From this error rate a failure is usual for the operation.</summary>
    private const double UsualErrorRate = 0.05;

    private const int MaxAdded = 3;

    public static void Apply(TraceAnalysis analysis, List<Hypothesis> candidates, BaselineSet baselines)
    {
        var tree = analysis.Tree;
        var total = Math.Max(1e-9, analysis.Findings.Overview.DurationMs);
        for (var k = 0; k < candidates.Count; k++)
        {
            if (Suspect(tree, candidates[k]) is { } s)
            {
                candidates[k] = Judge(candidates[k], tree, s, baselines);
            }
        }

        var suspects = new HashSet<(string, string)>(candidates.Select(c => Name(c.Service, c.Operation)));
        var added = 0;
        foreach (var (i, b) in Regressions(analysis, baselines).Where(r => !suspects.Contains(Name(tree[r.Index].ServiceName, tree[r.Index].Name))).Take(MaxAdded))
        {
            var span = tree[i];
            var ms = tree.DurationMs(i);
            var share = Math.Min(100, analysis.Timing.OnPath[i] / 1e6 * 100 / total);
            var severity = Math.Min(1, Math.Log10(ms / Math.Max(1e-6, b.P99Ms)));
            var confidence = Clamp((0.45 + 0.25 * severity + 0.2 * share / 100) * (0.3 + 0.7 * HeuristicRanker.Magnitude(ms - b.P50Ms)));
            var client = SpanSignals.IsClientLike(span) && tree.Children(i).Length == 0;
            var h = HeuristicRanker.Make(client ? Categories.Dependency : Categories.Latency, confidence,
                new Findings.SpanRef(span.SpanId, span.ServiceName, span.Name, Math.Round(ms, 3)),
                $"{span.ServiceName} {span.Name} took {HeuristicRanker.Ms(ms)}, {Ratio(ms, b.P99Ms)} its p99 of {HeuristicRanker.Ms(b.P99Ms)}",
                [span.SpanId],
                [$"{span.ServiceName} {span.Name} [{span.SpanId}] is normally fast; this call is far outside its usual range ({share:0.#}% of the trace on the critical path)."],
                client ? "dependency" : "latency.hotspot");
            candidates.Add(Judge(h, tree, i, baselines));
            added++;
        }

        foreach (var (i, selfMs) in NewOperations(analysis, baselines).Where(n => !suspects.Contains(Name(tree[n.Index].ServiceName, tree[n.Index].Name))).Take(Math.Max(0, MaxAdded - added)))
        {
            var span = tree[i];
            var h = HeuristicRanker.Make(Categories.Latency, Clamp(0.5 * HeuristicRanker.Magnitude(selfMs)),
                new Findings.SpanRef(span.SpanId, span.ServiceName, span.Name, Math.Round(tree.DurationMs(i), 3)),
                $"New operation {span.ServiceName} {span.Name} spends {HeuristicRanker.Ms(selfMs)} in its own work",
                [span.SpanId],
                [$"{span.ServiceName} {span.Name} [{span.SpanId}] spent {HeuristicRanker.Ms(selfMs)} in its own work; {span.ServiceName} has baselines, this operation none: a change (a deploy, a new code path) introduced it."],
                "latency.hotspot");
            candidates.Add(Judge(h, tree, i, baselines));
        }
    }

    /// <summary>One hypothesis against its span's baseline: the comparison stated, and its confidence moved accordingly.</summary>
    private static Hypothesis Judge(Hypothesis h, SpanTree tree, int s, BaselineSet baselines)
    {
        var span = tree[s];
        var ms = tree.DurationMs(s);
        var b = baselines.Find(span.ServiceName, span.Name, span.Kind);
        if (b is null)
        {
            if (!baselines.KnowsService(span.ServiceName))
            {
                return h;
            }

            // Something new is the first suspect after a change; more so when it is where the time or the failure is.
            return h with
            {
                Confidence = Clamp(h.Confidence + 0.1),
                Evidence = [.. h.Evidence, $"{span.ServiceName} {span.Name} is new: the {baselines.Source} baselines of {span.ServiceName} have no call of it."],
                Baseline = new HypothesisBaseline { Verdict = BaselineVerdicts.New, DurationMs = Math.Round(ms, 3), Source = baselines.Source },
            };
        }

        if (b.Count < MinSamples)
        {
            return h;
        }

        var line = $"Baseline: took {HeuristicRanker.Ms(ms)}; p50 {HeuristicRanker.Ms(b.P50Ms)}, p90 {HeuristicRanker.Ms(b.P90Ms)}, p99 {HeuristicRanker.Ms(b.P99Ms)} over {Window(b)}, n = {b.Count.ToString("N0", CultureInfo.InvariantCulture)}";
        string verdict;
        var confidence = h.Confidence;
        if (h.Category == Categories.Error && SpanSignals.ErrorSignal(span) is not null)
        {
            var rate = b.ErrorRate.ToString("0.#%", CultureInfo.InvariantCulture);
            if (b.ErrorRate >= UsualErrorRate)
            {
                verdict = BaselineVerdicts.ErrorsUsual;
                confidence *= Math.Max(0.3, 1 - 1.5 * b.ErrorRate);
                line += $"; {rate} of its calls fail normally, so a failure here is weak evidence.";
            }
            else
            {
                verdict = BaselineVerdicts.ErrorsRare;
                line += $"; it normally fails {rate} of calls.";
            }
        }
        else if (ms <= b.P99Ms * NormalMargin)
        {
            verdict = BaselineVerdicts.Normal;
            // A loop or a retry storm is abnormal by its shape even when every call is of normal length.
            if (h.Category is not (Categories.NPlusOne or Categories.Retry))
            {
                confidence *= 0.35;
                line += ": within its normal range, so slow perhaps but not abnormal for this operation.";
            }
            else
            {
                line += ": each call is of normal length.";
            }
        }
        else
        {
            verdict = BaselineVerdicts.AboveP99;
            var severity = Math.Min(1, Math.Log10(ms / Math.Max(1e-6, b.P99Ms)));
            confidence += (1 - confidence) * (ms >= b.P99Ms * RegressedRatio ? 0.5 : 0.2) * severity;
            line += $": {Ratio(ms, b.P99Ms)} its p99, far outside its usual range.";
        }

        return h with
        {
            Confidence = Clamp(confidence),
            Evidence = [.. h.Evidence, line],
            Baseline = new HypothesisBaseline
            {
                Verdict = verdict,
                DurationMs = Math.Round(ms, 3),
                P50Ms = b.P50Ms,
                P90Ms = b.P90Ms,
                P99Ms = b.P99Ms,
                ErrorRate = b.ErrorRate,
                Count = b.Count,
                From = b.From,
                To = b.To,
                Source = baselines.Source,
            },
        };
    }

    /// <summary>
    /// Spans far above their p99 whose own work accounts for most of the excess (a parent slowed by a regressed child is not
    /// one), one per operation, the largest excess first.
    /// </summary>
    private static IEnumerable<(int Index, OperationBaseline Baseline)> Regressions(TraceAnalysis analysis, BaselineSet baselines)
    {
        var tree = analysis.Tree;
        var found = new Dictionary<(string, string), (int Index, OperationBaseline Baseline, double Excess)>();
        for (var i = 0; i < tree.Count; i++)
        {
            var span = tree[i];
            if (baselines.Find(span.ServiceName, span.Name, span.Kind) is not { Count: >= MinSamples } b)
            {
                continue;
            }

            var ms = tree.DurationMs(i);
            var excess = ms - b.P99Ms;
            if (ms < b.P99Ms * RegressedRatio || HeuristicRanker.Magnitude(excess) <= 0 || analysis.Timing.Self[i] / 1e6 < 0.5 * excess)
            {
                continue;
            }

            var name = Name(span.ServiceName, span.Name);
            if (!found.TryGetValue(name, out var known) || known.Excess < excess)
            {
                found[name] = (i, b, excess);
            }
        }

        return found.Values.OrderByDescending(r => r.Excess).ThenBy(r => r.Index).Select(r => (r.Index, r.Baseline));
    }

    /// <summary>Operations of known services without a baseline whose own work took time, one per operation, longest first.</summary>
    private static IEnumerable<(int Index, double SelfMs)> NewOperations(TraceAnalysis analysis, BaselineSet baselines)
    {
        var tree = analysis.Tree;
        var found = new Dictionary<(string, string), (int Index, double SelfMs)>();
        for (var i = 0; i < tree.Count; i++)
        {
            var span = tree[i];
            var self = analysis.Timing.Self[i] / 1e6;
            if (HeuristicRanker.Magnitude(self) <= 0 || !baselines.KnowsService(span.ServiceName) || baselines.Find(span.ServiceName, span.Name, span.Kind) is not null)
            {
                continue;
            }

            var name = Name(span.ServiceName, span.Name);
            if (!found.TryGetValue(name, out var known) || known.SelfMs < self)
            {
                found[name] = (i, self);
            }
        }

        return found.Values.OrderByDescending(n => n.SelfMs).ThenBy(n => n.Index);
    }

    /// <summary>The suspect span of a hypothesis: the first of its spans with its service and operation.</summary>
    private static int? Suspect(SpanTree tree, Hypothesis h)
    {
        foreach (var id in h.SpanIds)
        {
            if (tree.Index.TryGetValue(id, out var i)
                && string.Equals(tree[i].ServiceName, h.Service, StringComparison.OrdinalIgnoreCase)
                && string.Equals(tree[i].Name, h.Operation, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        return null;
    }

    private static (string, string) Name(string? service, string? operation) =>
        ((service ?? "").ToUpperInvariant(), (operation ?? "").ToUpperInvariant());

    private static string Ratio(double ms, double p99) =>
        (ms / Math.Max(1e-6, p99)).ToString(ms / p99 >= 10 ? "0" : "0.#", CultureInfo.InvariantCulture) + "×";

    private static string Window(OperationBaseline b)
    {
        var span = b.To - b.From;
        return span <= TimeSpan.Zero ? "the window"
            : span.TotalDays >= 2 && span.TotalDays % 1 == 0 ? $"the last {span.TotalDays:0} d"
            : span.TotalHours >= 1 ? $"the last {span.TotalHours.ToString("0.#", CultureInfo.InvariantCulture)} h"
            : $"the last {span.TotalMinutes.ToString("0", CultureInfo.InvariantCulture)} min";
    }

    private static double Clamp(double value) => Math.Clamp(value, 0.05, 0.95);
}
