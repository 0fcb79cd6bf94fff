using System.Globalization;
using OpsAssistant.Core.Analysis.Findings;
using OpsAssistant.Core.Baselines;
using OpsAssistant.Core.Results;

namespace OpsAssistant.Core.Analysis;

/// <summary>
/// Turns findings into ranked hypotheses with calibrated confidence. Confidence grows with how much of the request a finding
/// explains; failures that took the request down outrank slowness; recovered errors and timed-out proxies are named as
/// such, low. With nothing notable it returns one low-confidence <c>unknown</c> rather than inventing a cause.
/// </summary>
public static class HeuristicRanker
{
    private const int MaxHypotheses = 6;

    public static AnalysisResult Rank(TraceAnalysis analysis) => Rank(analysis, null);

    /// <summary>
    /// Ranks with each operation's baseline in view (<see cref="BaselineJudge"/>); null or empty baselines rank exactly as
    /// <see cref="Rank(TraceAnalysis)"/>.
    /// </summary>
    public static AnalysisResult Rank(TraceAnalysis analysis, BaselineSet? baselines)
    {
        ArgumentNullException.ThrowIfNull(analysis);
        var f = analysis.Findings;
        var candidates = new List<Hypothesis>();
        var gaveUp = new HashSet<string>(f.Timeouts.Select(t => t.GaveUp.SpanId), StringComparer.Ordinal);

        foreach (var t in f.Timeouts)
        {
            candidates.Add(Make(Categories.Error, 0.86, t.Locus,
                $"{t.Locus.Service} {t.Locus.Operation} used the whole {Ms(t.BudgetMs)} budget; {t.GaveUp.Service} gave up",
                [t.Locus.SpanId, t.GaveUp.SpanId],
                [
                    $"{t.GaveUp.Service} {t.GaveUp.Operation} [{t.GaveUp.SpanId}] failed after {Ms(t.BudgetMs)}: it timed out waiting.",
                    $"{t.Locus.Service} {t.Locus.Operation} [{t.Locus.SpanId}] was still running with status OK for {Ms(t.Locus.DurationMs)} ({t.LocusShare:P0} of the budget).",
                    "Nothing below it returned: the time was spent inside it or in a call that recorded no span.",
                ],
                "error.timeout-masked"));
        }

        // Failures that belong to a retry storm are told as the storm, not as separate errors.
        var retried = new HashSet<string>(f.Retries.Where(r => r.Failed >= 2).SelectMany(r => r.SpanIds), StringComparer.Ordinal);
        AddErrors(f, candidates, gaveUp, retried);
        AddColdStart(f, candidates);
        foreach (var r in f.Retries.Where(r => r.Failed >= 2))
        {
            // A storm matters when it cost time or took the request down; fast failures the caller absorbed (an open
            // circuit breaker answering at once) are a symptom of whatever made the breaker open.
            var cost = Math.Max(Magnitude(r.WindowMs), f.Errors.Any(e => e.ReachesRoot && !e.Recovered) ? 1 : 0);
            var storm = Clamp((0.7 + 0.2 * r.SharePercent / 100 + (r.LastSucceeded ? 0 : 0.05)) * (0.4 + 0.6 * cost));
            var attempts = $"{r.Attempts} attempts in {Ms(r.WindowMs)} ({r.SharePercent:0.#}% of the trace); {r.Failed} failed{(r.LastSucceeded ? ", the last succeeded" : ", none succeeded")}.";
            if (r.Cause is { } cause)
            {
                // The callee shows why every attempt failed: that is the cause, the storm only multiplies it.
                var explained = (double)cause.Explained / Math.Max(1, cause.Failed);
                var first = Clamp(0.72 + 0.2 * explained);
                var what = cause.Kind switch { "lock" => "a lock", "pool" => "a connection pool", "query" => "a slow query", _ => "slow work" };
                candidates.Add(Make(cause.Kind is "lock" or "pool" ? Categories.Contention : Categories.Latency, first, cause.Span,
                    $"{cause.Span.Service} {cause.Span.Operation} ({what}) made the {r.First.Operation} attempts fail; retries amplified it",
                    [.. cause.SpanIds.Take(6), .. r.SpanIds.Take(2)],
                    [
                        $"In {cause.Explained} of the {cause.Failed} failed attempts of {r.First.Service} {r.First.Operation} [{string.Join(", ", r.SpanIds.Take(4))}] the time went to {cause.Span.Service} {cause.Span.Operation} [{string.Join(", ", cause.SpanIds.Take(4))}], {Ms(cause.MeanMs)} on average.",
                        attempts,
                        "Each retry met the same wait, so retrying could not succeed; it added load to the callee instead.",
                    ],
                    cause.Kind switch { "lock" => "contention.lock", "pool" => "contention.pool", "query" => "retry.slow-query", _ => "latency.hotspot" }));
                storm = Math.Min(storm, first - 0.08);
                candidates.Add(Make(Categories.Retry, storm, r.First,
                    $"Retry storm amplifying it: {r.Attempts} attempts of {r.First.Service} {r.First.Operation}, {r.Failed} failed",
                    [.. r.SpanIds.Take(8), cause.Span.SpanId],
                    [attempts, $"Every failed attempt waited on {cause.Span.Service} {cause.Span.Operation} [{cause.Span.SpanId}]: the storm is the amplifier, not the origin."],
                    "retry-storm.amplifier"));
                continue;
            }

            candidates.Add(Make(Categories.Retry, storm, r.First,
                $"Retry storm: {r.Attempts} attempts of {r.First.Service} {r.First.Operation}, {r.Failed} failed",
                r.SpanIds.Take(8).ToList(), [attempts], "retry-storm"));
        }

        foreach (var n in f.RepeatedCalls.Where(n => n.Sequential))
        {
            // Many calls paid one after another is structural evidence by itself; how much it matters is the time the loop took.
            // Many calls make a short loop matter sooner; a loop that cost next to nothing in absolute terms is not abnormal.
            var strength = Math.Min(1, Magnitude(n.WindowMs) * (1 + n.Count / 20.0));
            var call = n.Inner ?? Ref(n.SpanIds[0], n.Service, n.Operation, n.SumMs / n.Count);
            candidates.Add(Make(Categories.NPlusOne, Clamp((0.6 + 0.3 * n.SharePercent / 100) * (0.3 + 0.7 * strength)), call,
                $"N+1: {n.Count} sequential {call.Operation} calls from {n.Parent.Service} {n.Parent.Operation}",
                [call.SpanId, n.SpanIds[0], n.Parent.SpanId, .. n.SpanIds.Skip(1).Take(4)],
                [
                    .. n.Inner is { } inner ? [$"Each {n.Operation} iteration spends most of its time in {inner.Service} {inner.Operation} [{inner.SpanId}]."] : Array.Empty<string>(),
                    $"{n.Count} calls of {n.Service} {n.Operation} under [{n.Parent.SpanId}] ran one after another: {Ms(n.SumMs)} of calls in a {Ms(n.WindowMs)} window, on average {n.Concurrency:0.##} at a time ({n.OverlappingPairs} adjacent pairs overlap by more than clock jitter).",
                    $"The group spans {n.SharePercent:0.#}% of the trace.",
                ],
                "n-plus-one"));
        }

        foreach (var w in f.Waits.Where(w => w.SharePercent >= 10))
        {
            var evidence = new List<string> { $"{w.Span.Service} {w.Span.Operation} [{w.Span.SpanId}] waited {Ms(w.OnPathMs)} on the critical path ({w.SharePercent:0.#}% of the trace)." };
            if (w.Detail is not null)
            {
                evidence.Add(w.Detail);
            }

            candidates.Add(Make(Categories.Contention, Clamp((0.5 + 0.45 * w.SharePercent / 100) * Magnitude(w.OnPathMs)), w.Span,
                w.Kind == "pool" ? $"Connection-pool wait in {w.Span.Service}" : $"Lock wait in {w.Span.Service}", [w.Span.SpanId], evidence,
                w.Kind == "pool" ? "contention.pool" : "contention.lock"));
        }

        foreach (var r in f.Resources.Where(r => r.SharePercent >= 5 || r.PauseMs >= 100))
        {
            // A measured pause or throttled time is evidence; a GC or memory keyword alone only says where to look.
            candidates.Add(Make(Categories.Resource, Clamp((0.55 + 0.4 * r.SharePercent / 100) * (r.PauseMs is { } pause ? Magnitude(pause) : 0.6 * Magnitude(r.SharePercent / 100 * f.Overview.DurationMs))), r.Span,
                r.Kind switch { "gc" => $"GC pause stalled {r.Span.Service}", "cpu" => $"CPU throttling in {r.Span.Service}", _ => $"Memory pressure in {r.Span.Service}" },
                [r.Span.SpanId], [.. r.Evidence.Take(4), $"The affected span covers {r.SharePercent:0.#}% of the trace."], "resource." + r.Kind));
        }

        AddQueues(f, candidates);
        var covered = new HashSet<string>(candidates.SelectMany(c => c.SpanIds), StringComparer.Ordinal);
        // A caller's own time between failing attempts is its back-off: the storm explains it, not the caller's work.
        covered.UnionWith(f.Retries.Where(r => r.Failed >= 2 && r.Parent is not null).Select(r => r.Parent!.SpanId));
        var errorsTookRequestDown = f.Errors.Any(e => e.IsOrigin && !e.Recovered && e.ReachesRoot);
        // A lone span has nothing to compare its time with: that is "nothing stands out", not a latency finding.
        foreach (var h in f.Hotspots.Where(h => h.SharePercent >= 20 && !covered.Contains(h.Span.SpanId) && f.Overview.SpanCount > 1).Take(3))
        {
            // The root's own time is usually uninstrumented work or a trimmed trace, a weaker lead than a named span below it.
            // Without history, a span is only abnormal when its time is large in absolute terms too: 30 ms of 40 is normal.
            var damp = (errorsTookRequestDown ? 0.6 : 1.0) * (h.Span.SpanId == f.Overview.Root.SpanId ? 0.5 : 1.0) * Magnitude(h.OnPathMs);
            if (h.IsClientWithoutServer)
            {
                candidates.Add(Make(Categories.Dependency, Clamp((0.35 + 0.5 * h.SharePercent / 100) * damp), h.Span,
                    $"Slow dependency{(h.Peer is null ? "" : " " + h.Peer)} called by {h.Span.Service}",
                    [h.Span.SpanId],
                    [
                        $"{h.Span.Service} {h.Span.Operation} [{h.Span.SpanId}] waited {Ms(h.OnPathMs)} ({h.SharePercent:0.#}% of the trace) on {h.Peer ?? "a remote system"}.",
                        "The remote side recorded no span, so the time was spent outside the traced services.",
                    ],
                    "dependency"));
            }
            else
            {
                candidates.Add(Make(Categories.Latency, Clamp((0.35 + 0.55 * h.SharePercent / 100) * damp), h.Span,
                    $"{h.Span.Service} {h.Span.Operation} spends {Ms(h.SelfMs)} in its own work",
                    [h.Span.SpanId],
                    [$"{Ms(h.OnPathMs)} of its own time is on the critical path ({h.SharePercent:0.#}% of the trace); its children do not explain it."],
                    "latency.hotspot"));
            }
        }

        AddRecovered(f, candidates);
        if (baselines is { IsEmpty: false })
        {
            BaselineJudge.Apply(analysis, candidates, baselines);
        }

        var ranked = candidates
            .Where(h => h.Confidence >= NotableFloor)
            .OrderByDescending(h => h.Confidence)
            .DistinctBy(h => (h.Service?.ToUpperInvariant(), h.Operation?.ToUpperInvariant()))
            .Take(MaxHypotheses)
            .ToList();
        if (ranked.Count > 0)
        {
            // Leads too weak to stand out on their own still help below a real one (a retried-away error, a small wait).
            var weak = candidates.Where(h => h.Confidence < NotableFloor && !ranked.Any(r => SameSuspect(r, h))).OrderByDescending(h => h.Confidence)
                .DistinctBy(h => (h.Service?.ToUpperInvariant(), h.Operation?.ToUpperInvariant())).Take(MaxHypotheses - ranked.Count).ToList();
            ranked.AddRange(weak);
        }
        else
        {
            ranked.Add(NothingStandsOut(f, candidates));
        }

        var hypotheses = ranked.Select((h, i) => h with { Rank = i + 1, Confidence = Math.Round(Calibrate(h.Confidence), 2) }).ToList();
        return new AnalysisResult
        {
            TraceId = f.TraceId,
            Engine = Engines.Heuristic,
            Summary = Summarise(f, hypotheses),
            Hypotheses = hypotheses,
            Warnings = f.Warnings.Count == 0 ? null : f.Warnings,
            CriticalPath = new SpanIdList(analysis.Tree, analysis.Timing.Path),
        };
    }

    private static void AddErrors(TraceFindings f, List<Hypothesis> candidates, HashSet<string> gaveUp, HashSet<string> retried)
    {
        var rank = 0;
        foreach (var e in f.Errors.Where(e => e.IsOrigin && !e.Recovered && !e.ChainSpanIds.Any(retried.Contains)))
        {
            var timedOut = gaveUp.Contains(e.Span.SpanId);
            // A failure the request survived (its caller went on) is a weaker lead than one that took the request down.
            var confidence = timedOut ? 0.3 : e.Handled ? 0.15 : e.FailFast ? 0.2
                : Clamp((e.ReachesRoot ? 0.8 : e.ChainSpanIds.Count > 1 ? 0.6 : 0.5) + (e.ExceptionType is not null || e.Message is not null ? 0.05 : 0) - 0.2 * rank);
            rank += e.Handled || e.FailFast ? 0 : 1;
            var evidence = new List<string> { $"{e.Span.Service} {e.Span.Operation} [{e.Span.SpanId}] failed ({e.Signal}) {e.StartOffsetMs:0.#} ms into the trace." };
            if (e.ExceptionType is not null || e.Message is not null)
            {
                evidence.Add($"{e.ExceptionType}{(e.ExceptionType is not null && e.Message is not null ? ": " : "")}{e.Message}");
            }

            if (e.FailFast)
            {
                evidence.Add("A circuit breaker or bulkhead refused the call at once: a symptom of the failures or slowness that opened it, which come first.");
            }

            if (e.Handled)
            {
                evidence.Add("A client-class answer its caller handled (the caller did not fail): a miss or a rejected request, not a fault.");
            }

            evidence.Add(e.ChainSpanIds.Count > 1
                ? $"The failure propagated through {e.ChainSpanIds.Count - 1} errored parent span(s){(e.ReachesRoot ? " to the root" : "")}; those are consequences."
                : "No errored span lies below it: the failure started here.");
            if (rank > 1)
            {
                evidence.Add("An earlier failure in the same trace is the more likely cause; this one may be fallout.");
            }

            candidates.Add(Make(Categories.Error, confidence, e.Span,
                timedOut ? $"{e.Span.Service} {e.Span.Operation} timed out (a victim, see the span that used its budget)" : $"{e.Span.Service} {e.Span.Operation} failed: {Short(e.Message ?? e.ExceptionType ?? e.Signal)}",
                [.. e.ChainSpanIds.Take(6)], evidence, timedOut ? "error.timeout-masked" : "error.origin"));
        }
    }

    /// <summary>
    /// Maps a detector's evidence score to the probability that the named cause is right. Scores order the hypotheses and
    /// stay as they are up to 0.5 (a weak lead is said to be weak, and a healthy trace cannot be pushed into a false alarm);
    /// above it, strong evidence is stretched towards certainty, because a finding that clears 0.5 on several signals
    /// (a failure reaching the root, most of the request in one named wait) was right nearly every time on the labelled
    /// traces (docs/eval.md). Monotone, so the ranking is unchanged.
    /// </summary>
    internal static double Calibrate(double score) =>
        score <= 0.5 ? score : Math.Min(MaxConfidence, 0.5 + 0.5 * (1 - Math.Pow(1 - Math.Min(1, (score - 0.5) / 0.5), 1.9)));

    private const double MaxConfidence = 0.97;

    /// <summary>Below this a candidate does not stand out by itself: with nothing stronger, the answer is "nothing stands out".</summary>
    private const double NotableFloor = 0.25;

    /// <summary>Own time (ms) below which a span is unremarkable in absolute terms, and from which it counts in full.</summary>
    private const double SmallMs = 20, LargeMs = 400;

    /// <summary>
    /// How large an amount of time is in absolute terms, 0 at <see cref="SmallMs"/> and below, 1 at <see cref="LargeMs"/> and
    /// above, logarithmic between: a share of the trace alone cannot tell a slow request from a fast one with the usual spread.
    /// </summary>
    internal static double Magnitude(double ms) => ms <= SmallMs ? 0 : ms >= LargeMs ? 1 : Math.Log(ms / SmallMs) / Math.Log(LargeMs / SmallMs);

    private static bool SameSuspect(Hypothesis a, Hypothesis b) =>
        string.Equals(a.Service, b.Service, StringComparison.OrdinalIgnoreCase) && string.Equals(a.Operation, b.Operation, StringComparison.OrdinalIgnoreCase);

    /// <summary>The answer for a trace with nothing abnormal: what was checked, and the largest leads, none strong enough.</summary>
    private static Hypothesis NothingStandsOut(TraceFindings f, List<Hypothesis> weak)
    {
        var root = f.Overview.Root;
        var errors = f.Errors.Count == 0 ? "no errored spans" : f.Errors.All(e => e.Recovered || !e.IsOrigin) ? "errors only where a retry succeeded" : "no failure that took the request down";
        var evidence = new List<string>
        {
            $"Checked errors ({errors}), retries ({(f.Retries.Count == 0 ? "none" : "none that kept failing")}), repeated calls ({(f.RepeatedCalls.Any(r => r.Sequential) ? "only short sequential loops" : "no sequential loop")}), lock/pool/queue waits, cold start and GC/CPU/memory signals: nothing abnormal.",
        };
        if (f.CriticalPath.Count > 0 && f.Hotspots.Count > 0)
        {
            var h = f.Hotspots[0];
            evidence.Add($"Critical path: {f.CriticalPath.Count} span(s) over {Ms(f.Overview.DurationMs)}; the largest own time is {Ms(h.OnPathMs)} in {h.Span.Service} {h.Span.Operation} [{h.Span.SpanId}] ({h.SharePercent:0.#}%), not large in absolute terms.");
        }

        if (weak.Count > 0)
        {
            var lead = weak.MaxBy(w => w.Confidence)!;
            evidence.Add($"Weakest signals were not enough to stand out; the strongest: {lead.Title} (confidence {lead.Confidence.ToString("0.00", CultureInfo.InvariantCulture)}).");
        }

        return Make(Categories.Unknown, 0.1, root, "Nothing in this trace stands out", [root.SpanId], evidence, "unknown");
    }

    /// <summary>
    /// Time a message waited between its producer and its consumer while the request waited for the reply: the queue
    /// (backlog, consumer lag) is where the time went, named by the consumer that picked the message up late.
    /// </summary>
    private static void AddQueues(TraceFindings f, List<Hypothesis> candidates)
    {
        var total = Math.Max(1e-9, f.Overview.DurationMs);
        foreach (var q in f.Queues.Where(q => q.WaiterSpanIds.Count > 0 && q.Busiest is not null && q.BusiestSelfMs > q.LagMs && q.BusiestSelfMs * 100 / total >= 10).Take(2))
        {
            // The message was picked up promptly, but the request also waited for the consumer's work, which ran after its
            // producer ended and so lies off the critical path: the busiest span of that work is where the time went.
            var b = q.Busiest!;
            var share = Math.Min(100, q.BusiestSelfMs * 100 / total);
            candidates.Add(Make(Categories.Latency, Clamp((0.35 + 0.55 * share / 100) * Magnitude(q.BusiestSelfMs)), b,
                $"{b.Service} {b.Operation} spends {Ms(q.BusiestSelfMs)} in its own work while {q.Producer.Service} waits for the reply",
                [b.SpanId, q.Consumer.SpanId, .. q.WaiterSpanIds.Take(3)],
                [
                    $"{q.Consumer.Service} {q.Consumer.Operation} [{q.Consumer.SpanId}] consumed the message {Ms(q.LagMs)} after {q.Producer.Operation} [{q.Producer.SpanId}] published it; {b.Operation} [{b.SpanId}] then spent {Ms(q.BusiestSelfMs)} ({share:0.#}% of the trace) in its own work.",
                    $"The waiting span(s) [{string.Join(", ", q.WaiterSpanIds.Take(3))}] did no work of their own meanwhile.",
                ],
                "latency.hotspot"));
        }

        // Nobody waited for an asynchronous consumer, so its lag cost the request nothing; a lag long in absolute terms is
        // still the abnormal thing in the trace (a flooded topic, a stalled consumer group), named with less confidence.
        foreach (var q in f.Queues.Where(q => q.WaiterSpanIds.Count == 0).Take(1))
        {
            var queue = q.Destination ?? "the queue";
            candidates.Add(Make(Categories.Contention, Clamp(0.6 * Magnitude(q.LagMs)), q.Consumer,
                $"Consumer lag on {queue}: {q.Consumer.Service} consumed the message {Ms(q.LagMs)} after it was published",
                [q.Consumer.SpanId, q.Producer.SpanId],
                [
                    $"{q.Producer.Service} {q.Producer.Operation} [{q.Producer.SpanId}] published to {queue}{(q.System is null ? "" : $" ({q.System})")}; {q.Consumer.Service} {q.Consumer.Operation} [{q.Consumer.SpanId}] started {Ms(q.LagMs)} later.",
                    "The request did not wait for this consumer, so the lag delayed the asynchronous work (backlog or a slow consumer group), not the response.",
                ],
                "queue.backlog"));
        }

        foreach (var q in f.Queues.Where(q => q.WaiterSpanIds.Count > 0 && q.SharePercent >= 10).Take(2))
        {
            var queue = q.Destination is null ? "the queue" : $"{q.Destination}";
            candidates.Add(Make(Categories.Contention, Clamp((0.55 + 0.4 * q.SharePercent / 100) * Magnitude(q.LagMs)), q.Consumer,
                $"Queue backlog: {queue} held the message {Ms(q.LagMs)} before {q.Consumer.Service} consumed it",
                [q.Consumer.SpanId, q.Producer.SpanId, .. q.WaiterSpanIds.Take(3)],
                [
                    $"{q.Producer.Service} {q.Producer.Operation} [{q.Producer.SpanId}] published to {queue}{(q.System is null ? "" : $" ({q.System})")}; {q.Consumer.Service} {q.Consumer.Operation} [{q.Consumer.SpanId}] started {Ms(q.LagMs)} later ({q.SharePercent:0.#}% of the trace) and took {Ms(q.ConsumerMs)}.",
                    $"The waiting span(s) [{string.Join(", ", q.WaiterSpanIds.Take(3))}] did no work of their own meanwhile: their own time is the message's time in the queue, consumer lag or a backlog.",
                ],
                "queue.backlog"));
        }
    }

    private static void AddColdStart(TraceFindings f, List<Hypothesis> candidates)
    {
        if (f.ColdStart is not { SharePercent: >= 15 } cs)
        {
            return;
        }

        var evidence = new List<string> { $"{cs.Platform} cold start: {Ms(cs.TotalMs)} of the {Ms(f.Overview.DurationMs)} request ({cs.SharePercent:0.#}%)." };
        evidence.AddRange(cs.Segments.Select(s => $"{s.Phase} [{s.Span.SpanId}] {Ms(s.DurationMs)}"));
        var key = cs.Dominant.Phase switch
        {
            "PrepareCode" or "RuntimeInitialization" or "Initializer" or "Initialization" => "cold-start." + cs.Dominant.Phase,
            _ => "cold-start.faas",
        };
        candidates.Add(Make(Categories.ColdStart, Clamp((0.6 + 0.35 * cs.SharePercent / 100) * Magnitude(cs.TotalMs)), cs.Dominant.Span,
            $"Cold start dominated by {cs.Dominant.Phase} ({Ms(cs.Dominant.DurationMs)})",
            [cs.Dominant.Span.SpanId, .. cs.Segments.Where(s => s != cs.Dominant).Select(s => s.Span.SpanId)], evidence, key));
    }

    private static void AddRecovered(TraceFindings f, List<Hypothesis> candidates)
    {
        if (f.Errors.FirstOrDefault(e => e.IsOrigin && e.Recovered) is { } r && candidates.Count < MaxHypotheses)
        {
            candidates.Add(Make(Categories.Error, 0.08, r.Span, $"{r.Span.Service} {r.Span.Operation} failed once but a retry succeeded (not the cause)",
                [r.Span.SpanId], [$"{r.Span.Operation} [{r.Span.SpanId}] failed ({r.Signal}) and a later attempt under the same parent succeeded."], "error.recovered"));
        }
    }

    internal static Hypothesis Make(string category, double confidence, SpanRef suspect, string title, IReadOnlyList<string> spanIds, IReadOnlyList<string> evidence, string remediationKey) => new()
    {
        Title = title,
        Category = category,
        Confidence = confidence,
        Service = suspect.Service,
        Operation = suspect.Operation,
        SpanIds = spanIds.Distinct(StringComparer.Ordinal).ToList(),
        Evidence = evidence,
        Remediation = RemediationCatalog.For(remediationKey),
    };

    private static SpanRef Ref(string spanId, string service, string operation, double durationMs) => new(spanId, service, operation, durationMs);

    private static string Summarise(TraceFindings f, List<Hypothesis> hypotheses)
    {
        var o = f.Overview;
        var top = hypotheses[0];
        var errors = o.ErrorCount > 0 ? $", {o.ErrorCount} errored span(s)" : "";
        var lead = top.Category == Categories.Unknown
            ? "Nothing stands out as a root cause."
            : $"Most likely cause: {top.Title} ({top.Service}/{top.Operation}, confidence {top.Confidence.ToString("0.00", CultureInfo.InvariantCulture)}).";
        var repairs = f.Warnings.Count > 0 ? $" {f.Warnings.Count} repair(s) were made to the trace before analysis." : "";
        return $"{o.Root.Service} {o.Root.Operation} took {Ms(o.DurationMs)} across {o.SpanCount} spans in {o.ServiceCount} service(s){errors}. {lead}{repairs}";
    }

    private static double Clamp(double value) => Math.Clamp(value, 0.05, 0.95);

    private static string Short(string text) => text.Length <= 80 ? text : text[..80] + "…";

    internal static string Ms(double ms) => ms >= 1000
        ? (ms / 1000).ToString("0.0#", CultureInfo.InvariantCulture) + " s"
        : ms.ToString(ms >= 100 ? "0" : "0.#", CultureInfo.InvariantCulture) + " ms";
}
