using System.Text.RegularExpressions;
using OpsAssistant.Core.Analysis.Findings;
using OpsAssistant.Core.Model;

namespace OpsAssistant.Core.Analysis;

/// <summary>
/// Repetition, waiting and starvation. Siblings repeating one call to one target are grouped; whether they overlap decides
/// between an N+1 (sequential: every call paid in turn) and a fan-out (concurrent). A group whose attempts mostly failed is
/// a retry storm. Waits are spans named or tagged as lock/pool/queue waits; resource findings come from GC, CPU-throttling
/// and memory evidence in attributes and events.
/// </summary>
internal static partial class PatternDetector
{
    public const int MinRepeats = 5;

    /// <summary>Up to this many siblings, repeats are found by comparing each pair rather than by hashing.</summary>
    private const int SmallFamily = 16;

    private static bool SameCall(Span x, Span y, NameShapes shapes) =>
        string.Equals(Shape(x.Name, shapes), Shape(y.Name, shapes), StringComparison.Ordinal) && string.Equals(x.ServiceName, y.ServiceName, StringComparison.Ordinal);

    private static readonly System.Buffers.SearchValues<char> Literals = System.Buffers.SearchValues.Create("0123456789'\"");

    /// <summary>
    /// The name with its literals blanked: instrumentations that name a span by its statement or path (SELECT ... WHERE
    /// id = 42, GET /orders/1042) give each call of one loop its own name. Only free-standing numbers, quoted strings and
    /// UUIDs count as literals: step-1 and step-2 stay different steps. Names without a digit or a quote are returned as
    /// they are, without a lookup.
    /// </summary>
    internal static string Shape(string name, NameShapes shapes) =>
        name.AsSpan().IndexOfAny(Literals) < 0 ? name : shapes.Memo.GetOrAdd(name, static n => LiteralWords().Replace(n, "?"));

    /// <summary>The memo of name shapes for one pass, made only when a name has a literal (most traces have none).</summary>
    internal sealed class NameShapes
    {
        private StringMemo<string>? _memo;

        public StringMemo<string> Memo => _memo ??= new StringMemo<string>();
    }

    public static (List<RepeatedCallFinding> Repeated, List<RetryFinding> Retries) Repetition(SpanTree tree, Timing timing, Func<int, SpanRef> refOf)
    {
        var repeated = new List<RepeatedCallFinding>();
        var retries = new List<RetryFinding>();
        var sameCall = new Dictionary<(string, string), int>();
        var candidates = new List<int>();
        var shapes = new NameShapes();
        for (var p = 0; p < tree.Count; p++)
        {
            var kids = tree.Children(p);
            if (kids.Length < 2)
            {
                continue;
            }

            // a call made once under its parent can form no group (retries need 2+, repeats 5+), and it is
            // also alone under the finer (service, name, target) key, so it is dropped before the per-span Target string is
            // built and grouped. The remaining groups keep their first-appearance order, so the findings are unchanged.
            candidates.Clear();
            if (kids.Length <= SmallFamily)
            {
                // A few siblings are compared pairwise: names read from one document are shared strings, so each comparison
                // is usually a reference check, where the dictionary hashed every name twice.
                for (var a = 0; a < kids.Length; a++)
                {
                    for (var b = 0; b < kids.Length; b++)
                    {
                        if (a != b && SameCall(tree[kids[a]], tree[kids[b]], shapes))
                        {
                            candidates.Add(kids[a]);
                            break;
                        }
                    }
                }
            }
            else
            {
                sameCall.Clear();
                foreach (var c in kids)
                {
                    var key = (tree[c].ServiceName, Shape(tree[c].Name, shapes));
                    sameCall[key] = sameCall.GetValueOrDefault(key) + 1;
                }

                foreach (var c in kids)
                {
                    if (sameCall[(tree[c].ServiceName, Shape(tree[c].Name, shapes))] > 1)
                    {
                        candidates.Add(c);
                    }
                }
            }

            if (candidates.Count < 2)
            {
                continue;
            }

            foreach (var group in candidates.GroupBy(c => (tree[c].ServiceName, Shape(tree[c].Name, shapes), SpanSignals.Target(tree[c]))))
            {
                if (group.Count() < 2)
                {
                    continue;
                }

                var members = group.OrderBy(c => tree.Start[c]).ToList();
                var failed = members.Count(c => SpanSignals.ErrorSignal(tree[c]) is not null);
                var window = members.Max(c => tree.End[c]) - tree.Start[members[0]];
                var sum = members.Sum(c => tree.Duration(c));
                var overlapping = 0;
                for (var k = 1; k < members.Count; k++)
                {
                    if (tree.Start[members[k]] < tree.End[members[k - 1]] - Jitter(tree, members[k - 1]))
                    {
                        overlapping++;
                    }
                }

                var share = Share(tree, window);
                var ids = members.Select(c => tree[c].SpanId).ToList();
                var resends = members.Any(c => AttributeValues.Find(tree[c].AttributeSpan, "http.request.resend_count") is not null || AttributeValues.Find(tree[c].AttributeSpan, "retry.attempt") is not null);
                if (members.Count >= 3 && failed >= 2 && (failed >= members.Count - 1 || resends) || members.Count >= 2 && resends && failed >= 1)
                {
                    var lastOk = SpanSignals.ErrorSignal(tree[members[^1]]) is null;
                    retries.Add(new RetryFinding(refOf(members[0]), members.Count, failed, lastOk, window / 1e6, share, ids) { Cause = CalleeCause(tree, members, refOf), Parent = refOf(p) });
                    continue;
                }

                if (members.Count < MinRepeats)
                {
                    continue;
                }

                // Sequential as a reader of the waterfall judges it: the calls run about one at a time (effective concurrency
                // near 1 once sub-millisecond overlaps from late end times and clock jitter are forgiven) and the parent was
                // busy calling through the window (the group, or the group interleaved with its sibling calls, fills it).
                var concurrency = EffectiveConcurrency(tree, members);
                var sequential = concurrency <= MaxSequentialConcurrency && PeakConcurrency(tree, members) <= 2 && (sum >= MinFill * window || Busy(tree, p, tree.Start[members[0]], tree.Start[members[0]] + window) >= MinFill * window);
                repeated.Add(new RepeatedCallFinding(refOf(p), group.Key.ServiceName, tree[members[0]].Name, members.Count, window / 1e6, sum / 1e6,
                    overlapping, sequential, share, failed, ids) { Concurrency = Math.Round(concurrency, 2), Inner = sequential ? InnerCall(tree, members, shapes, refOf) : null });
            }
        }

        repeated.Sort((a, b) => b.SharePercent.CompareTo(a.SharePercent));
        retries.Sort((a, b) => b.SharePercent.CompareTo(a.SharePercent));
        return (repeated, retries);
    }

    /// <summary>
    /// Why the attempts of a retry storm failed, when the callee shows it: in most failed attempts the time went down one
    /// chain of dominant spans to the same span, which is a lock or pool wait, a database call, or a named piece of work
    /// inside the callee. An attempt with no spans below it, or whose dominant span failed to reach its dependency at all
    /// (refused, unreachable), explains nothing: then the storm against that dependency is itself the finding.
    /// </summary>
    private static RetryCause? CalleeCause(SpanTree tree, List<int> attempts, Func<int, SpanRef> refOf)
    {
        Dictionary<(string, string), List<int>>? byCall = null;
        var failed = 0;
        StringMemo<string?>? kinds = null; // made only when an attempt has spans below it
        foreach (var a in attempts)
        {
            if (SpanSignals.ErrorSignal(tree[a]) is null)
            {
                continue;
            }

            failed++;
            var d = DominantDescendant(tree, a, out var depth);
            if (d == a || Unreachable(tree[d]) || !(WaitKind(tree[d], kinds ??= new()) is not null || SpanSignals.IsDatabase(tree[d]) || (depth >= 2 && tree[d].ServiceName != tree[a].ServiceName)))
            {
                continue;
            }

            var key = (tree[d].ServiceName, tree[d].Name);
            byCall ??= [];
            if (!byCall.TryGetValue(key, out var list))
            {
                byCall[key] = list = [];
            }

            list.Add(d);
        }

        if (byCall is null)
        {
            return null;
        }

        var best = byCall.Values.MaxBy(l => l.Count)!;
        if (best.Count < 2 || best.Count * 2 < failed)
        {
            return null;
        }

        var first = best[0];
        var kind = WaitKind(tree[first], kinds!) ?? (SpanSignals.IsDatabase(tree[first]) ? "query" : "work");
        var meanMs = best.Average(d => tree.DurationMs(d));
        return new RetryCause(refOf(first), kind, best.Count, failed, Math.Round(meanMs, 3), best.Select(d => tree[d].SpanId).ToList());
    }

    /// <summary>
    /// The call each iteration of a loop spends its time in, when the repeated spans are the loop's own per-item wrappers
    /// (process item → SELECT): the repeated client or database call below them, found in most iterations by following
    /// the child that holds most of each iteration's time. Null when the repeated spans are calls themselves.
    /// </summary>
    private static SpanRef? InnerCall(SpanTree tree, List<int> members, NameShapes shapes, Func<int, SpanRef> refOf)
    {
        if (SpanSignals.IsClientLike(tree[members[0]]))
        {
            return null;
        }

        Dictionary<(string, string), (int First, int Count)>? calls = null;
        foreach (var m in members)
        {
            var d = DominantDescendant(tree, m, out _);
            if (d != m && SpanSignals.IsClientLike(tree[d]))
            {
                var key = (tree[d].ServiceName, Shape(tree[d].Name, shapes));
                calls ??= [];
                calls[key] = calls.TryGetValue(key, out var seen) ? (seen.First, seen.Count + 1) : (d, 1);
            }
        }

        if (calls is null)
        {
            return null;
        }

        var best = calls.Values.MaxBy(v => v.Count);
        return best.Count * 2 > members.Count ? refOf(best.First) : null;
    }

    /// <summary>Follows, from <paramref name="attempt"/>, the child holding at least half the attempt's time, as deep as it goes.</summary>
    private static int DominantDescendant(SpanTree tree, int attempt, out int depth)
    {
        var half = tree.Duration(attempt) / 2;
        var d = attempt;
        depth = 0;
        while (true)
        {
            var next = -1;
            foreach (var c in tree.Children(d))
            {
                if (tree.Duration(c) >= half && (next < 0 || tree.Duration(c) > tree.Duration(next)))
                {
                    next = c;
                }
            }

            if (next < 0)
            {
                return d;
            }

            d = next;
            depth++;
        }
    }

    /// <summary>A failure to reach a dependency at all: nothing waited in the callee, the call never got there.</summary>
    private static bool Unreachable(Span span)
    {
        if (SpanSignals.ErrorSignal(span) is null)
        {
            return false;
        }

        var text = SpanSignals.Message(span) + " " + SpanSignals.ExceptionType(span);
        return UnreachableWords().IsMatch(text);
    }

    /// <summary>
    /// The time a call's recorded end may run past the start of the next call of a strictly sequential loop: end times are
    /// taken late and clocks jitter by hundreds of microseconds. At most half the call, so a short call is never erased.
    /// </summary>
    private static long Jitter(SpanTree tree, int i) => Math.Min(tree.Duration(i) / 2, Math.Max(JitterNanos, tree.Duration(i) / 20));

    private const long JitterNanos = 1_000_000;

    /// <summary>Calls that run on average at most this many at a time are one after another; a pool of two workers gives 2.</summary>
    internal const double MaxSequentialConcurrency = 1.3;

    /// <summary>
    /// A loop keeps calling: its calls (with their sibling calls) fill at least this share of its window, the rest being the
    /// per-item work between them. Calls scattered thinly over a long span (a periodic poll) are no loop.
    /// </summary>
    private const double MinFill = 0.4;

    /// <summary>
    /// Summed call time over the time covered by at least one call, each call's end pulled in by <see cref="Jitter"/>: 1 for
    /// a loop however much its recorded ends overlap the next start, the number of workers for a concurrent fan-out.
    /// </summary>
    internal static double EffectiveConcurrency(SpanTree tree, IReadOnlyList<int> byStart)
    {
        long sum = 0;
        var union = default(IntervalUnion);
        foreach (var c in byStart)
        {
            var s = tree.Start[c];
            var e = Math.Max(s, tree.End[c] - Jitter(tree, c));
            sum += e - s;
            union.Add(s, e);
        }

        return union.Total <= 0 ? byStart.Count : (double)sum / union.Total;
    }

    /// <summary>
    /// The most calls running at one moment, each call's end pulled in by <see cref="Jitter"/>. Effective concurrency alone
    /// is fooled by one long call among short ones started together (a fan-out with one stuck replica averages near 1);
    /// a loop never has more than one call running, two where a late end meets the next start.
    /// </summary>
    internal static int PeakConcurrency(SpanTree tree, IReadOnlyList<int> byStart)
    {
        var running = new PriorityQueue<long, long>();
        var peak = 0;
        foreach (var c in byStart)
        {
            var s = tree.Start[c];
            while (running.TryPeek(out var end, out _) && end <= s)
            {
                running.Dequeue();
            }

            var e = Math.Max(s, tree.End[c] - Jitter(tree, c));
            if (e > s)
            {
                running.Enqueue(e, e);
            }

            peak = Math.Max(peak, running.Count);
        }

        return peak;
    }

    /// <summary>How much of [from, to) is covered by any child of <paramref name="parent"/>: a loop making several calls per item keeps it busy.</summary>
    private static long Busy(SpanTree tree, int parent, long from, long to)
    {
        var union = default(IntervalUnion);
        foreach (var c in tree.Children(parent))
        {
            union.Add(Math.Max(tree.Start[c], from), Math.Min(tree.End[c], to));
        }

        return union.Total;
    }

    public static List<WaitFinding> Waits(SpanTree tree, Timing timing, Func<int, SpanRef> refOf)
    {
        var waits = new List<WaitFinding>();
        var nameKinds = new StringMemo<string?>();
        for (var i = 0; i < tree.Count; i++)
        {
            var span = tree[i];
            var kind = WaitKind(span, nameKinds);
            if (kind is null)
            {
                continue;
            }

            var onPath = Math.Max(timing.OnPath[i], timing.Self[i] * (timing.OnPath[i] > 0 ? 1 : 0));
            var detail = span.Attributes.Where(a => a.Key.Contains("pending", StringComparison.OrdinalIgnoreCase) || a.Key.Contains("pool", StringComparison.OrdinalIgnoreCase)
                    || a.Key.Contains("lock", StringComparison.OrdinalIgnoreCase) || a.Key.Contains("wait", StringComparison.OrdinalIgnoreCase))
                .Take(4).Select(a => a.ToString()).ToList();
            waits.Add(new WaitFinding(refOf(i), kind, onPath / 1e6, Share(tree, onPath), detail.Count == 0 ? null : string.Join(", ", detail)));
        }

        waits.Sort((a, b) => b.OnPathMs.CompareTo(a.OnPathMs));
        return waits;
    }

    public static List<ResourceFinding> Resources(SpanTree tree, Timing timing, Func<int, SpanRef> refOf)
    {
        var found = new List<ResourceFinding>();
        var keyKinds = new StringMemo<string?>();
        for (var i = 0; i < tree.Count; i++)
        {
            var span = tree[i];
            List<string>? evidence = null; // most spans have none: no list per span
            string? kind = null;
            double? pause = null;
            foreach (var a in span.AttributeSpan)
            {
                if (ResourceKey(a.Key, keyKinds) is { } k)
                {
                    kind ??= k;
                    (evidence ??= []).Add(a.ToString());
                    pause ??= PauseOf(a);
                }
            }

            foreach (var e in span.Events)
            {
                if (ResourceKey(e.Name, keyKinds) is { } k)
                {
                    kind ??= k;
                    (evidence ??= []).Add($"event {e.Name} " + string.Join(" ", e.Attributes.Take(4).Select(a => a.ToString())));
                    foreach (var a in AttributeValues.AsSpan(e.Attributes))
                    {
                        pause ??= PauseOf(a);
                    }
                }
            }

            if (kind is null)
            {
                continue;
            }

            var cost = Math.Max(timing.OnPath[i], pause is { } ms ? (long)(ms * 1e6) : 0);
            found.Add(new ResourceFinding(refOf(i), kind, pause, Share(tree, cost), evidence!.Take(6).ToList()));
        }

        found.Sort((a, b) => b.SharePercent.CompareTo(a.SharePercent));
        return found;
    }

    /// <summary>
    /// The wait kind of a span. The regexes over its name are evaluated once per distinct name (span names
    /// repeat across a large trace, and two regexes per span were a tenth of the analysis); attribute keys are checked as before.
    /// </summary>
    private static string? WaitKind(Span span, StringMemo<string?> nameKinds)
    {
        var byName = nameKinds.GetOrAdd(span.Name, static name => PoolWords().IsMatch(name) ? "pool" : LockWords().IsMatch(name) ? "lock" : null);

        if (byName == "pool" || HasAttribute(span, static k => k.StartsWith("db.client.connection", StringComparison.Ordinal) || k.Contains("pool.pending", StringComparison.Ordinal)))
        {
            return "pool";
        }

        return byName == "lock" || HasAttribute(span, static k => k.StartsWith("lock.", StringComparison.Ordinal)) ? "lock" : null;
    }

    private static bool HasAttribute(Span span, Func<string, bool> keyMatches)
    {
        foreach (var a in span.AttributeSpan)
        {
            if (keyMatches(a.Key))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary><see cref="ResourceKey(string)"/> once per distinct key or event name (they repeat on every span).</summary>
    private static string? ResourceKey(string key, StringMemo<string?> cache) => cache.GetOrAdd(key, ResourceKey);

    private static string? ResourceKey(string key)
    {
        if (GcWords().IsMatch(key))
        {
            return "gc";
        }

        if (CpuWords().IsMatch(key))
        {
            return "cpu";
        }

        return MemoryWords().IsMatch(key) ? "memory" : null;
    }

    private static double? PauseOf(OpsAssistant.Core.Model.Attribute a)
    {
        if (!(a.Key.Contains("duration", StringComparison.OrdinalIgnoreCase) || a.Key.Contains("pause", StringComparison.OrdinalIgnoreCase) || a.Key.Contains("throttled_time", StringComparison.OrdinalIgnoreCase)))
        {
            return null;
        }

        double? value = a.Value switch
        {
            long l => l,
            double d when double.IsFinite(d) => d,
            string s when double.TryParse(s, System.Globalization.CultureInfo.InvariantCulture, out var d) => d,
            _ => null,
        };
        if (value is null)
        {
            return null;
        }

        return a.Key.EndsWith("_s", StringComparison.Ordinal) || a.Key.EndsWith(".s", StringComparison.Ordinal) ? value * 1000
            : a.Key.EndsWith("_ns", StringComparison.Ordinal) ? value / 1e6
            : a.Key.EndsWith("_us", StringComparison.Ordinal) ? value / 1e3 : value;
    }

    private static double Share(SpanTree tree, long nanos) => tree.Duration(tree.Root) <= 0 ? 0 : Math.Min(100, (double)nanos / tree.Duration(tree.Root) * 100);

    [GeneratedRegex(@"'[^']*'|""[^""]*""|\b[0-9a-fA-F]{8}-[0-9a-fA-F-]{27,}\b|\b0x[0-9a-fA-F]+\b|(?<=[/=\s(,:<>])-?\d+(\.\d+)?(?=$|[/\s),;&?])", RegexOptions.CultureInvariant)]
    private static partial Regex LiteralWords();

    [GeneratedRegex(@"(?i)(refused|unreachable|no route|unavailable|connection reset|econn|enotfound|name or service not known|nodename nor servname|no such host|dns)", RegexOptions.CultureInvariant)]
    private static partial Regex UnreachableWords();

    [GeneratedRegex(@"(?i)(pool|getconnection|get_connection|acquire.?connection|connection.?wait|checkout.?connection)", RegexOptions.CultureInvariant)]
    private static partial Regex PoolWords();

    [GeneratedRegex(@"(?i)(\block\b|lock[._ -]|mutex|semaphore|latch|monitor|acquire|wait.?for|waiting|\bwait\b|select.+for update)", RegexOptions.CultureInvariant)]
    private static partial Regex LockWords();

    [GeneratedRegex(@"(?i)(\bgc\b|\.gc\.|gc[._]|garbage|safepoint|stop.?the.?world)", RegexOptions.CultureInvariant)]
    private static partial Regex GcWords();

    [GeneratedRegex(@"(?i)(throttl|cpu\.limit|cpu_limit|cpu\.usage|steal)", RegexOptions.CultureInvariant)]
    private static partial Regex CpuWords();

    [GeneratedRegex(@"(?i)(oom|out.?of.?memory|memory\.limit|heap\.used|swap)", RegexOptions.CultureInvariant)]
    private static partial Regex MemoryWords();
}
