using OpsAssistant.Core.Model;

namespace OpsAssistant.Infrastructure.Storage;

/// <summary>
/// Traces recently read from the store, each kept under the revision its <c>trace_index</c> row had when it was read.
/// A chat turn's tool calls, an alert burst naming one trace and repeated analyses all ask for the same trace within
/// seconds, and loading a 10,000-span trace costs ~10 ms of CPU each time (docs/performance.md). A read first looks up the
/// revision (a primary-key lookup) and takes the cached copy only when the revision is unchanged, so spans ingested since,
/// by this process or another on the same database, are never missed. Bounded by the total number of spans held, least
/// recently used first out; a trace bigger than the whole budget is not kept. Handing one <see cref="Trace"/> to several
/// callers is safe: the model is read-only, and its analysis is cached per trace object and safe for concurrent readers.
/// </summary>
internal sealed class StoredTraceCache(int capacitySpans)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, LinkedListNode<Entry>> _entries = new(StringComparer.Ordinal);
    private readonly LinkedList<Entry> _recency = new(); // most recently used first
    private long _spans;

    public int CapacitySpans { get; } = capacitySpans;

    /// <summary>Spans held across all cached traces.</summary>
    public long Spans
    {
        get
        {
            lock (_lock)
            {
                return _spans;
            }
        }
    }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>The trace as read at <paramref name="revision"/>; a copy of any other revision is dropped as stale.</summary>
    public bool TryGet(string traceId, long revision, out Trace trace)
    {
        lock (_lock)
        {
            if (_entries.TryGetValue(traceId, out var node))
            {
                if (node.Value.Revision == revision)
                {
                    _recency.Remove(node);
                    _recency.AddFirst(node);
                    trace = node.Value.Trace;
                    return true;
                }

                RemoveNode(node);
            }
        }

        trace = null!;
        return false;
    }

    /// <summary>Keeps <paramref name="trace"/> as read at <paramref name="revision"/>, evicting the least recently used to fit.</summary>
    public void Add(string traceId, long revision, Trace trace)
    {
        var size = trace.Spans.Count;
        if (size > CapacitySpans)
        {
            return;
        }

        lock (_lock)
        {
            if (_entries.TryGetValue(traceId, out var existing))
            {
                // Two readers loaded the trace at once: keep the newer revision.
                if (existing.Value.Revision > revision)
                {
                    return;
                }

                RemoveNode(existing);
            }

            while (_spans + size > CapacitySpans && _recency.Last is { } oldest)
            {
                RemoveNode(oldest);
            }

            _entries[traceId] = _recency.AddFirst(new Entry(traceId, revision, trace));
            _spans += size;
        }
    }

    /// <summary>Drops a trace whose spans just changed; the revision check would also refuse it, this frees it at once.</summary>
    public void Remove(string traceId)
    {
        lock (_lock)
        {
            if (_entries.TryGetValue(traceId, out var node))
            {
                RemoveNode(node);
            }
        }
    }

    private void RemoveNode(LinkedListNode<Entry> node)
    {
        _recency.Remove(node);
        _entries.Remove(node.Value.TraceId);
        _spans -= node.Value.Trace.Spans.Count;
    }

    private sealed record Entry(string TraceId, long Revision, Trace Trace);
}
