using OpsAssistant.Core.Analysis.Findings;
using OpsAssistant.Core.Model;

namespace OpsAssistant.Core.Analysis;

/// <summary>
/// Messaging delay. A consumer span hangs under the producer span that published its message (as its child, or through a
/// span link); the time from publishing to the consumer starting is time the message sat in the queue (backlog, consumer
/// lag). A request that waits for a reply over the queue shows that time as the waiting span's own time, which is not work
/// done there: the waiting spans are named so the ranker does not blame them. Roles come from span kinds or, when the
/// instrumentation recorded none, from the messaging attributes of either generation of the semantic conventions.
/// </summary>
internal static class QueueDetector
{
    public static IReadOnlyList<QueueFinding> Detect(SpanTree tree, Timing timing, Func<int, SpanRef> refOf, int max)
    {
        List<QueueFinding>? found = null;
        for (var c = 0; c < tree.Count; c++)
        {
            if (!IsConsumer(tree[c]) || Producer(tree, c) is not { } p)
            {
                continue;
            }

            // Published, then picked up: from the end of a short publish (or its start, when the publish span outlives it).
            var sent = tree.End[p] <= tree.Start[c] ? tree.End[p] : tree.Start[p];
            var lag = Math.Max(0, tree.Start[c] - sent);
            var waited = tree.End[c] - sent;
            if (waited <= 0)
            {
                continue;
            }

            // Spans that were idle for most of the message's trip while it lasted waited for it (request/reply): those above
            // the producer, and an "await reply" span the publisher opened beside it.
            var waiters = new List<string>();
            for (var a = tree.Parent[p]; a >= 0; a = tree.Parent[a])
            {
                if (Waited(tree, timing, a, c, waited))
                {
                    waiters.Add(tree[a].SpanId);
                }
            }

            if (tree.Parent[p] >= 0)
            {
                foreach (var sibling in tree.Children(tree.Parent[p]))
                {
                    if (sibling != p && Waited(tree, timing, sibling, c, waited))
                    {
                        waiters.Add(tree[sibling].SpanId);
                    }
                }
            }

            var total = tree.Duration(tree.Root);
            var busiest = Busiest(tree, timing, c);
            (found ??= []).Add(new QueueFinding(refOf(p), refOf(c), Destination(tree[c]) ?? Destination(tree[p]), System(tree[c]) ?? System(tree[p]),
                lag / 1e6, tree.DurationMs(c), total <= 0 ? 0 : Math.Min(100, lag * 100.0 / total), waiters)
            {
                Busiest = refOf(busiest),
                BusiestSelfMs = timing.Self[busiest] / 1e6,
            });
        }

        if (found is null)
        {
            return Array.Empty<QueueFinding>();
        }

        found.Sort((a, b) => b.LagMs.CompareTo(a.LagMs));
        return found.Count > max ? found.GetRange(0, max) : found;
    }

    private static bool Waited(SpanTree tree, Timing timing, int span, int consumer, long waited) =>
        timing.Self[span] >= waited / 2 && tree.Start[span] <= tree.Start[consumer] && tree.End[span] >= tree.Start[consumer];

    /// <summary>
    /// The span with the most own time in the consumer's subtree: the consumer ran after its producer ended, so the critical
    /// path does not reach it, yet a request waiting for the reply waited for this work too.
    /// </summary>
    private static int Busiest(SpanTree tree, Timing timing, int consumer)
    {
        var best = consumer;
        var stack = new Stack<int>();
        stack.Push(consumer);
        while (stack.Count > 0)
        {
            var i = stack.Pop();
            if (timing.Self[i] > timing.Self[best])
            {
                best = i;
            }

            foreach (var c in tree.Children(i))
            {
                stack.Push(c);
            }
        }

        return best;
    }

    /// <summary>The producer span of a consumer: its parent when that published, else a linked span that did.</summary>
    private static int? Producer(SpanTree tree, int consumer)
    {
        var parent = tree.Parent[consumer];
        if (parent >= 0 && IsProducer(tree[parent]))
        {
            return parent;
        }

        foreach (var link in tree[consumer].Links)
        {
            if (tree.Index.TryGetValue(link.SpanId, out var linked) && linked != consumer && IsProducer(tree[linked]))
            {
                return linked;
            }
        }

        return null;
    }

    public static bool IsProducer(Span span) => span.Kind == SpanKind.Producer || (span.Kind is SpanKind.Internal or SpanKind.Unspecified && Operation(span) is "publish" or "send" or "create");

    public static bool IsConsumer(Span span) => span.Kind == SpanKind.Consumer || (span.Kind is SpanKind.Internal or SpanKind.Unspecified && Operation(span) is "receive" or "process" or "deliver" or "consume");

    /// <summary>Whether a span takes part in messaging: such spans cross hosts asynchronously and may lie outside their parent.</summary>
    public static bool IsMessaging(Span span) => span.Kind is SpanKind.Producer or SpanKind.Consumer || AttributeValues.Find(span.AttributeSpan, "messaging.system") is not null;

    /// <summary>The messaging operation (messaging.operation.type, or the older messaging.operation), lower case; null when not messaging.</summary>
    private static string? Operation(Span span)
    {
        // One pass over the attributes: most spans carry no messaging.* key at all (perf: this runs for every span).
        string? op = null;
        var messaging = false;
        foreach (var attribute in span.AttributeSpan)
        {
            if (!attribute.Key.StartsWith("messaging.", StringComparison.Ordinal))
            {
                continue;
            }

            messaging = true;
            if (attribute.Key is "messaging.operation.type" || (attribute.Key is "messaging.operation" && op is null))
            {
                op = attribute.Value?.ToString();
            }
        }

        if (op is null && messaging)
        {
            // Span names follow "{operation} {destination}" (or "{destination} {operation}" in older instrumentations).
            foreach (var word in span.Name.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                var w = word.ToLowerInvariant();
                if (w is "publish" or "send" or "create" or "receive" or "process" or "deliver" or "consume")
                {
                    return w;
                }
            }
        }

        return op?.ToLowerInvariant();
    }

    private static string? Destination(Span span) =>
        AttributeValues.FindString(span.AttributeSpan, "messaging.destination.name") ?? AttributeValues.FindString(span.AttributeSpan, "messaging.destination");

    private static string? System(Span span) => AttributeValues.FindString(span.AttributeSpan, "messaging.system");
}
