using OpsAssistant.Core.Analysis;
using OpsAssistant.Core.Analysis.Findings;
using OpsAssistant.Core.Model;
using OpsAssistant.Core.Results;

namespace OpsAssistant.Core.Prompting;

/// <summary>
/// Writes the analyser's findings as prompt sections: overview, heuristic hypotheses, error chain, timeouts, cold start,
/// critical path, hotspots, repeated calls, retries, waits, resources, per-service table. Every line cites span IDs in
/// brackets. Priorities (0 most important) let the condenser keep the root cause for any trace size. All trace text is
/// redacted and flattened to one line, so it can neither leak secrets nor break the prompt's layout.
/// </summary>
public sealed class FindingsPromptWriter(SecretRedactor redactor) : IPromptSectionWriter
{
    public IReadOnlyList<PromptSection> Write(Trace trace, AnalysisResult heuristic)
    {
        ArgumentNullException.ThrowIfNull(heuristic);
        var f = TraceAnalysisCache.GetOrAnalyze(trace).Findings;
        var o = f.Overview;
        var sections = new List<PromptSection>
        {
            new("Trace overview",
            [
                Line(0, $"root {Name(o.Root)} took {Ms(o.DurationMs)}; {o.SpanCount} spans, {o.ServiceCount} services, {o.ErrorCount} errored spans; started {o.Start:O}", o.Root.SpanId),
                .. f.Warnings.Take(5).Select(w => Line(3, "repair: " + Clean(w))),
            ]),
            new("Deterministic hypotheses (rule-based; confirm or overrule them)", heuristic.Hypotheses.SelectMany((h, i) => (IEnumerable<PromptLine>)
            [
                // The cited IDs are written out: the model can only cite the spans it can see.
                Line(i == 0 ? 0 : 1, $"#{h.Rank} {h.Category} conf {h.Confidence:0.00}: {Clean(h.Title)} — {Clean(h.Service)}/{Clean(h.Operation)}{Ids(h.SpanIds.Take(4))}", [.. h.SpanIds.Take(4)]),
                .. PromptEvidence(h).Select(e => Line(i == 0 ? 1 : 3, "  evidence: " + Clean(e), [.. h.SpanIds.Take(1)])),
            ]).ToList()),
            new("Error chain (origins first)", f.Errors.Take(15).Select((e, i) => Line(
                e.IsOrigin && !e.Recovered ? (i == 0 ? 0 : 1) : e.Recovered ? 3 : 4,
                $"{(e.IsOrigin ? "origin" : "propagated")}{(e.Recovered ? " (retried successfully)" : "")}: {Name(e.Span)} {e.Signal} at +{Ms(e.StartOffsetMs)}{(e.ExceptionType is null ? "" : " " + Clean(e.ExceptionType))}{(e.Message is null ? "" : ": " + Clean(e.Message, 160))}{(e.ReachesRoot ? "; reached the root" : "")}",
                [.. e.ChainSpanIds.Take(3)])).ToList()),
            new("Timeouts (a span gave up while another used the budget)", f.Timeouts.Select(t => Line(0,
                $"{Name(t.GaveUp)} failed after {Ms(t.BudgetMs)} while {Name(t.Locus)} (status OK) ran {Ms(t.Locus.DurationMs)}", t.Locus.SpanId, t.GaveUp.SpanId)).ToList()),
        };

        if (f.ColdStart is { } cs)
        {
            sections.Add(new("Cold start", [
                Line(cs.SharePercent >= 15 ? 0 : 2, $"{cs.Platform}: {Ms(cs.TotalMs)} ({cs.SharePercent:0.#}% of the trace), dominated by {cs.Dominant.Phase}", cs.Dominant.Span.SpanId),
                .. cs.Segments.Select(s => Line(cs.SharePercent >= 15 ? 1 : 3, $"  {s.Phase} {Ms(s.DurationMs)}", s.Span.SpanId)),
            ]));
        }

        // The 40 largest contributors, shown in path order (the path itself can hold thousands of spans).
        sections.Add(new("Critical path (time each span alone added to end-to-end latency)", LargestInPathOrder(f.CriticalPath, 40)
            .Select(c => Line(c.SharePercent >= 10 ? 1 : c.SharePercent >= 2 ? 3 : 5, $"{Name(c.Span)} on-path {Ms(c.OnPathMs)} ({c.SharePercent:0.#}%), self {Ms(c.SelfMs)}", c.Span.SpanId))
            .ToList()));
        sections.Add(new("Self-time hotspots", f.Hotspots.Take(10).Select((h, i) => Line(i < 3 ? 2 : 5,
            $"{Name(h.Span)} self {Ms(h.SelfMs)}, on-path {Ms(h.OnPathMs)} ({h.SharePercent:0.#}%){(h.IsClientWithoutServer ? $"; client call with no server span{(h.Peer is null ? "" : " to " + Clean(h.Peer))}" : "")}", h.Span.SpanId)).ToList()));
        sections.Add(new("Repeated calls", f.RepeatedCalls.Take(8).Select(r => Line(r.Sequential ? 1 : 3,
            $"{r.Count}× {Clean(r.Service)}/{Clean(r.Operation)}{Ids(r.SpanIds.Take(1))} under {Name(r.Parent)}: {(r.Sequential ? "SEQUENTIAL" : "concurrent")}, {r.OverlappingPairs} overlapping pairs, sum {Ms(r.SumMs)} in a {Ms(r.WindowMs)} window ({r.SharePercent:0.#}% of trace), {r.Errors} failed",
            [r.SpanIds[0], r.Parent.SpanId])).ToList()));
        sections.Add(new("Retries", f.Retries.Take(5).Select(r => Line(1,
            $"{r.Attempts} attempts of {Name(r.First)}, {r.Failed} failed, last {(r.LastSucceeded ? "succeeded" : "failed")}, {Ms(r.WindowMs)} ({r.SharePercent:0.#}%){(r.Cause is { } c ? $"; in {c.Explained} of {c.Failed} failed attempts the callee waited in {Name(c.Span)} ({c.Kind}, {Ms(c.MeanMs)} on average)" : "")}",
            [.. r.SpanIds.Take(3), .. r.Cause is { } cause ? [cause.Span.SpanId] : Array.Empty<string>()])).ToList()));
        sections.Add(new("Queues (producer to consumer)", f.Queues.Take(5).Select(q => Line(q.WaiterSpanIds.Count > 0 && q.SharePercent >= 10 ? 1 : 4,
            $"{Name(q.Producer)} published to {Clean(q.Destination ?? "a queue")}; {Name(q.Consumer)} started {Ms(q.LagMs)} later ({q.SharePercent:0.#}% of trace) and ran {Ms(q.ConsumerMs)}{(q.WaiterSpanIds.Count > 0 ? "; the request waited for it" : "")}",
            q.Consumer.SpanId, q.Producer.SpanId)).ToList()));
        sections.Add(new("Waits (locks, pools)", f.Waits.Take(5).Select(w => Line(w.SharePercent >= 10 ? 1 : 4,
            $"{w.Kind} wait {Name(w.Span)} {Ms(w.OnPathMs)} on path ({w.SharePercent:0.#}%){(w.Detail is null ? "" : "; " + Clean(w.Detail, 160))}", w.Span.SpanId)).ToList()));
        sections.Add(new("Resource signals", f.Resources.Take(5).Select(r => Line(r.SharePercent >= 5 ? 1 : 4,
            $"{r.Kind} on {Name(r.Span)}{(r.PauseMs is null ? "" : $" pause {Ms(r.PauseMs.Value)}")}: {Clean(string.Join("; ", r.Evidence.Take(3)), 200)}", r.Span.SpanId)).ToList()));
        sections.Add(new("Per-service time", f.Services.Take(15).Select((s, i) => Line(i < 5 ? 3 : 6,
            $"{Clean(s.Service)}: {s.Spans} spans, {s.Errors} errors, self {Ms(s.SelfMs)}, on critical path {Ms(s.OnPathMs)}")).ToList()));
        return sections;
    }

    /// <summary>
    /// The <paramref name="count"/> items with the most on-path time (ties: earlier first), in path order: what a stable sort
    /// of the whole path then taking the first few gave, without sorting a path of 100k spans for 40.
    /// </summary>
    private static IEnumerable<CriticalPathItem> LargestInPathOrder(IReadOnlyList<CriticalPathItem> path, int count)
    {
        // The analyser's path builds its items lazily: read the times without building all of them.
        Func<int, double> onPath = path is CriticalPathItems lazy ? lazy.OnPathMs : k => path[k].OnPathMs;
        var top = new List<int>(count + 1);
        for (var i = 0; i < path.Count; i++)
        {
            if (top.Count == count && onPath(i) <= onPath(top[^1]))
            {
                continue;
            }

            var at = top.Count;
            while (at > 0 && onPath(top[at - 1]) < onPath(i))
            {
                at--;
            }

            top.Insert(at, i);
            if (top.Count > count)
            {
                top.RemoveAt(count);
            }
        }

        top.Sort();
        return top.Select(i => path[i]);
    }

    private string Name(SpanRef s) => $"{Clean(s.Service)}/{Clean(s.Operation)} [{s.SpanId}] ({Ms(s.DurationMs)})";

    /// <summary>Redacts secrets and flattens to a single, bounded line: trace text must not add lines or headings of its own.</summary>
    private string Clean(string? text, int max = 120)
    {
        if (string.IsNullOrEmpty(text))
        {
            return "";
        }

        var flat = new string(text.Select(c => char.IsControl(c) ? ' ' : c).ToArray());
        var redacted = redactor.Redact(flat);
        return redacted.Length <= max ? redacted : redacted[..max] + "…";
    }

    private static string Ids(IEnumerable<string> spanIds) => string.Join(", ", spanIds) is { Length: > 0 } ids ? " [" + ids + "]" : "";

    private static PromptLine Line(int priority, string text, params string[] spanIds) => new("- " + text, priority, spanIds);

    /// <summary>
    /// The three evidence lines a hypothesis gets in the prompt. With a baseline, its comparison line (always the last) is
    /// one of them: how the span compares with its own history is what the model cannot see anywhere else.
    /// </summary>
    private static IEnumerable<string> PromptEvidence(Hypothesis h) =>
        h.Baseline is null || h.Evidence.Count <= 3 ? h.Evidence.Take(3) : [.. h.Evidence.Take(2), h.Evidence[^1]];

    private static string Ms(double ms) => HeuristicRanker.Ms(ms);
}
