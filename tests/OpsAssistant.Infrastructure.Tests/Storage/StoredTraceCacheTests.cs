using OpsAssistant.Core.Model;
using OpsAssistant.Infrastructure.Storage;

namespace OpsAssistant.Infrastructure.Tests.Storage;

public sealed class StoredTraceCacheTests
{
    [Fact]
    public void TryGet_SameRevision_HitsAndAnotherRevisionDropsTheStaleCopy()
    {
        var cache = new StoredTraceCache(100);
        var trace = Trace(1, spans: 10);
        cache.Add(trace.TraceId, 3, trace);

        Assert.True(cache.TryGet(trace.TraceId, 3, out var hit));
        Assert.Same(trace, hit);
        Assert.False(cache.TryGet(trace.TraceId, 4, out _));
        Assert.False(cache.TryGet(trace.TraceId, 3, out _)); // the stale copy was dropped, not kept for an older reader
        Assert.Equal(0, cache.Spans);
    }

    [Fact]
    public void Add_OverTheSpanBudget_EvictsTheLeastRecentlyUsed()
    {
        var cache = new StoredTraceCache(100);
        Trace a = Trace(1, 40), b = Trace(2, 40), c = Trace(3, 40);
        cache.Add(a.TraceId, 1, a);
        cache.Add(b.TraceId, 1, b);
        Assert.True(cache.TryGet(a.TraceId, 1, out _)); // a is now more recent than b

        cache.Add(c.TraceId, 1, c);

        Assert.True(cache.TryGet(a.TraceId, 1, out _));
        Assert.False(cache.TryGet(b.TraceId, 1, out _));
        Assert.True(cache.TryGet(c.TraceId, 1, out _));
        Assert.Equal(80, cache.Spans);
    }

    [Fact]
    public void Add_TraceLargerThanTheBudget_IsNotKeptAndEvictsNothing()
    {
        var cache = new StoredTraceCache(100);
        var small = Trace(1, 50);
        cache.Add(small.TraceId, 1, small);

        var huge = Trace(2, 101);
        cache.Add(huge.TraceId, 1, huge);

        Assert.False(cache.TryGet(huge.TraceId, 1, out _));
        Assert.True(cache.TryGet(small.TraceId, 1, out _));
    }

    [Fact]
    public void Add_OlderRevisionThanTheOneHeld_KeepsTheNewer()
    {
        // Two readers loaded the trace around an ingest; the one that read the older revision finishes last.
        var cache = new StoredTraceCache(100);
        Trace newer = Trace(1, 5), older = Trace(1, 4);
        cache.Add(newer.TraceId, 2, newer);
        cache.Add(older.TraceId, 1, older);

        Assert.True(cache.TryGet(newer.TraceId, 2, out var held));
        Assert.Same(newer, held);
        Assert.Equal(5, cache.Spans);
    }

    [Fact]
    public void Remove_FreesTheTraceAndItsSpans()
    {
        var cache = new StoredTraceCache(100);
        var trace = Trace(1, 30);
        cache.Add(trace.TraceId, 1, trace);

        cache.Remove(trace.TraceId);

        Assert.Equal((0, 0L), (cache.Count, cache.Spans));
        Assert.False(cache.TryGet(trace.TraceId, 1, out _));
    }

    private static Trace Trace(int id, int spans) => new(TestSpans.TraceId(id), [.. Enumerable.Range(1, spans).Select(s => TestSpans.Make(id, s, parent: s == 1 ? null : 1))]);
}
