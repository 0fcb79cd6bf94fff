using System.Buffers;
using OpsAssistant.Core.Analysis.Findings;

namespace OpsAssistant.Core.Analysis;

/// <summary>
/// Finds where failures started. An errored span with an errored descendant is a consequence, not an origin. An origin
/// whose call was retried by its parent and then succeeded is a red herring (recovered). An errored span that gave up
/// while an OK span below it was still using the whole budget is a timeout: the locus is that span, not the one that errored.
/// </summary>
internal static class ErrorDetector
{
    /// <summary>The deepest span still holding this share of a timed-out span's duration is where the time went.</summary>
    private const double BudgetShare = 0.9;

    public static (List<ErrorFinding> Errors, List<TimeoutFinding> Timeouts) Detect(SpanTree tree, Func<int, SpanRef> refOf)
    {
        // Per-span working arrays come from the pool: at 100k spans each is large-object garbage otherwise.
        var n = tree.Count;
        var flags = ArrayPool<bool>.Shared.Rent(3 * n);
        try
        {
            Array.Clear(flags, 0, 3 * n);
            return Detect(tree, refOf, flags.AsSpan(0, n), flags.AsSpan(n, n), flags.AsSpan(2 * n, n));
        }
        finally
        {
            ArrayPool<bool>.Shared.Return(flags);
        }
    }

    private static (List<ErrorFinding> Errors, List<TimeoutFinding> Timeouts) Detect(
        SpanTree tree, Func<int, SpanRef> refOf, Span<bool> errored, Span<bool> recovered, Span<bool> erroredBelow)
    {
        var n = tree.Count;
        Dictionary<int, string>? signal = null; // only errored spans have one
        for (var i = 0; i < n; i++)
        {
            if (SpanSignals.ErrorSignal(tree[i]) is { } s)
            {
                (signal ??= [])[i] = s;
                errored[i] = true;
            }
        }

        if (signal is null)
        {
            return ([], []);
        }

        // A retry can happen at any level of the chain (usually the client span, not the server span that failed): if any
        // errored span on the way up was followed by a successful attempt of the same call, the failure was recovered.
        for (var i = 0; i < n; i++)
        {
            for (var x = i; errored[i] && !recovered[i] && x >= 0 && errored[x]; x = tree.Parent[x])
            {
                recovered[i] = Recovered(tree, x, errored);
            }
        }

        // Only unrecovered failures below a span make it a consequence; a retried-away error below does not.
        // Children before parents: the pre-order backwards, read in place (Reverse() buffered 100k indexes).
        var preOrder = tree.PreOrderSpan;
        for (var k = preOrder.Length - 1; k >= 0; k--)
        {
            var i = preOrder[k];
            var p = tree.Parent[i];
            if (p >= 0 && ((errored[i] && !recovered[i]) || erroredBelow[i]))
            {
                erroredBelow[p] = true;
            }
        }

        var errors = new List<ErrorFinding>();
        var timeouts = new List<TimeoutFinding>();
        var traceStart = tree.Start[tree.Root];
        for (var i = 0; i < n; i++)
        {
            if (!errored[i])
            {
                continue;
            }

            var span = tree[i];
            var chain = new List<string> { span.SpanId };
            var reachesRoot = i == tree.Root;
            for (var p = tree.Parent[i]; p >= 0 && errored[p]; p = tree.Parent[p])
            {
                chain.Add(tree[p].SpanId);
                reachesRoot |= p == tree.Root;
            }

            var isOrigin = !erroredBelow[i];
            // A client-class answer (404, invalid argument) that its caller did not turn into a failure was handled: a cache
            // miss or a validation result, not a fault.
            var handled = chain.Count == 1 && i != tree.Root && SpanSignals.IsClientFault(span);
            var message = SpanSignals.Message(span);
            var type = SpanSignals.ExceptionType(span);
            errors.Add(new ErrorFinding(refOf(i), message, type, signal[i], isOrigin,
                recovered[i], reachesRoot && !recovered[i], (tree.Start[i] - traceStart) / 1e6, chain) { Handled = handled, FailFast = SpanSignals.IsFailFast(span, message, type) });

            if (isOrigin && LooksLikeTimeout(tree, i) && FindBudgetLocus(tree, i, errored) is { } locus)
            {
                timeouts.Add(new TimeoutFinding(refOf(i), refOf(locus), tree.DurationMs(i), tree.Duration(i) == 0 ? 0 : (double)tree.Duration(locus) / tree.Duration(i)));
            }
        }

        // Origins first: unrecovered before recovered, those that took the request down before handled ones, then the
        // earliest — when two siblings both fail, the later failure is usually fallout of the first.
        errors.Sort((a, b) =>
        {
            var c = b.IsOrigin.CompareTo(a.IsOrigin);
            c = c != 0 ? c : a.Recovered.CompareTo(b.Recovered);
            c = c != 0 ? c : b.ReachesRoot.CompareTo(a.ReachesRoot);
            return c != 0 ? c : a.StartOffsetMs.CompareTo(b.StartOffsetMs);
        });
        return (errors, timeouts);
    }

    /// <summary>How far a retry's recorded start may precede the failed attempt's recorded end (late end times, clock jitter), at most a tenth of the attempt.</summary>
    private const long RetryJitter = 1_000_000;

    /// <summary>
    /// A later sibling making the same call that did not fail means this failure was retried away. A retry starts once the
    /// attempt has failed: a sibling running alongside it is another item of a concurrent fan-out, not a second attempt.
    /// </summary>
    private static bool Recovered(SpanTree tree, int i, ReadOnlySpan<bool> errored)
    {
        var p = tree.Parent[i];
        if (p < 0)
        {
            return false;
        }

        var span = tree[i];
        var retried = false;
        foreach (var s in tree.Children(p))
        {
            retried |= s != i && !errored[s] && tree.Start[s] >= tree.End[i] - Math.Min(RetryJitter, tree.Duration(i) / 10) && SameCall(tree[s], span);
        }

        if (!retried)
        {
            return false;
        }

        // Retries run one after another. Calls of the same operation running side by side are the items of a fan-out:
        // another item's success does not undo this item's failure, however the recorded times of two of them jitter.
        var calls = new List<int>();
        foreach (var s in tree.Children(p))
        {
            if (SameCall(tree[s], span))
            {
                calls.Add(s);
            }
        }

        return PatternDetector.EffectiveConcurrency(tree, calls) <= PatternDetector.MaxSequentialConcurrency && PatternDetector.PeakConcurrency(tree, calls) <= 2;
    }

    private static bool SameCall(Model.Span a, Model.Span b) => a.Name == b.Name && a.ServiceName == b.ServiceName;

    /// <summary>
    /// A span "gave up" when its failure says timeout (HTTP 504/408, gRPC DEADLINE_EXCEEDED, a timeout message) or it failed
    /// after a round budget (15.0 s, 10.0 s) — proxies such as Envoy report a route timeout just as a failed request.
    /// </summary>
    private static bool LooksLikeTimeout(SpanTree tree, int i)
    {
        var span = tree[i];
        var http = Model.AttributeValues.FindLong(span.AttributeSpan, "http.response.status_code") ?? Model.AttributeValues.FindLong(span.AttributeSpan, "http.status_code");
        if (http is 504 or 408 || SpanSignals.GrpcCode(span) == 4)
        {
            return true;
        }

        var text = (SpanSignals.Message(span) + " " + SpanSignals.ExceptionType(span) + " " + Model.AttributeValues.FindString(span.AttributeSpan, "response_flags")).ToUpperInvariant();
        if (text.Contains("TIMEOUT", StringComparison.Ordinal) || text.Contains("TIMED OUT", StringComparison.Ordinal) || text.Contains("DEADLINE", StringComparison.Ordinal)
            || text.Contains(" UT", StringComparison.Ordinal))
        {
            return true;
        }

        var ms = tree.DurationMs(i);
        return (ms >= 1000 && Math.Abs(ms - Math.Round(ms / 1000) * 1000) <= ms * 0.005) || GaveUpOnRunningChild(tree, i);
    }

    /// <summary>
    /// The span failed while a call below it was still running without error: that child lasted (almost) all of it and
    /// ended after it. A caller that stops waiting looks like this whatever its budget or message says; a caller that
    /// failed on what the child returned ends after the child.
    /// </summary>
    private static bool GaveUpOnRunningChild(SpanTree tree, int i)
    {
        foreach (var c in tree.Children(i))
        {
            if (tree.End[c] > tree.End[i] && tree.Duration(c) >= BudgetShare * tree.Duration(i) && SpanSignals.ErrorSignal(tree[c]) is null)
            {
                return true;
            }
        }

        return false;
    }

    private static int? FindBudgetLocus(SpanTree tree, int gaveUp, ReadOnlySpan<bool> errored)
    {
        var budget = tree.Duration(gaveUp);
        if (budget <= 0 || tree.Children(gaveUp).Length == 0)
        {
            return null;
        }

        var d = gaveUp;
        while (true)
        {
            var next = -1;
            foreach (var c in tree.Children(d))
            {
                if (tree.Duration(c) >= BudgetShare * budget && (next < 0 || tree.Duration(c) > tree.Duration(next)))
                {
                    next = c;
                }
            }

            if (next < 0)
            {
                break;
            }

            d = next;
        }

        return d != gaveUp && !errored[d] ? d : null;
    }
}
