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

    private static bool SameCall(Span x, Span y) =>
        string.Equals(x.Name, y.Name, StringComparison.Ordinal) && string.Equals(x.ServiceName, y.ServiceName, StringComparison.Ordinal);

    public static (List<RepeatedCallFinding> Repeated, List<RetryFinding> Retries) Repetition(SpanTree tree, Timing timing, Func<int, SpanRef> refOf)
    {
        var repeated = new List<RepeatedCallFinding>();
        var retries = new List<RetryFinding>();
        var sameCall = new Dictionary<(string, string), int>();
        var candidates = new List<int>();
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
                        if (a != b && SameCall(tree[kids[a]], tree[kids[b]]))
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
                    var key = (tree[c].ServiceName, tree[c].Name);
                    sameCall[key] = sameCall.GetValueOrDefault(key) + 1;
                }

                foreach (var c in kids)
                {
                    if (sameCall[(tree[c].ServiceName, tree[c].Name)] > 1)
                    {
                        candidates.Add(c);
                    }
                }
            }

            if (candidates.Count < 2)
            {
                continue;
            }

            foreach (var group in candidates.GroupBy(c => (tree[c].ServiceName, tree[c].Name, SpanSignals.Target(tree[c]))))
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
                    if (tree.Start[members[k]] < tree.End[members[k - 1]])
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
                    retries.Add(new RetryFinding(refOf(members[0]), members.Count, failed, lastOk, window / 1e6, share, ids));
                    continue;
                }

                if (members.Count < MinRepeats)
                {
                    continue;
                }

                // Sequential: (almost) no adjacent overlap and the calls fill most of their window.
                var sequential = overlapping <= Math.Max(1, (members.Count - 1) / 10) && sum >= 0.6 * window;
                repeated.Add(new RepeatedCallFinding(refOf(p), group.Key.ServiceName, group.Key.Name, members.Count, window / 1e6, sum / 1e6,
                    overlapping, sequential, share, failed, ids));
            }
        }

        repeated.Sort((a, b) => b.SharePercent.CompareTo(a.SharePercent));
        retries.Sort((a, b) => b.SharePercent.CompareTo(a.SharePercent));
        return (repeated, retries);
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
