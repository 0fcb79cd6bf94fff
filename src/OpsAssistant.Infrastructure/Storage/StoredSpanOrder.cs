using OpsAssistant.Core.Model;

namespace OpsAssistant.Infrastructure.Storage;

/// <summary>
/// A trace read from several chunks (and the span rows of older databases): each span once, its last written copy, in
/// start order, then span ID, which is the order a single chunk already holds and the span table was read in.
/// </summary>
internal static class StoredSpanOrder
{
    /// <param name="spans">The spans in the order they were written: older rows first, then chunk by chunk.</param>
    public static List<Span> LastCopiesInOrder(List<Span> spans)
    {
        var seen = new HashSet<(ulong, string?)>(spans.Count);
        var kept = new List<Span>(spans.Count);
        for (var i = spans.Count - 1; i >= 0; i--)
        {
            if (seen.Add(Key(spans[i])))
            {
                kept.Add(spans[i]);
            }
        }

        kept.Reverse();
        if (!IsOrdered(kept))
        {
            kept.Sort(Compare);
        }

        return kept;
    }

    /// <summary>Start, then span ID as text; two canonical IDs compare as their numbers do, without making their text.</summary>
    public static int Compare(Span a, Span b)
    {
        var c = a.StartUnixNano.CompareTo(b.StartUnixNano);
        if (c != 0)
        {
            return c;
        }

        return a.TryGetSpanIdNumber(out var x) && b.TryGetSpanIdNumber(out var y) ? x.CompareTo(y) : string.CompareOrdinal(a.SpanId, b.SpanId);
    }

    private static (ulong, string?) Key(Span span) => span.TryGetSpanIdNumber(out var id) ? (id, null) : (0, span.SpanId);

    private static bool IsOrdered(List<Span> spans)
    {
        for (var i = 1; i < spans.Count; i++)
        {
            if (Compare(spans[i - 1], spans[i]) > 0)
            {
                return false;
            }
        }

        return true;
    }
}
