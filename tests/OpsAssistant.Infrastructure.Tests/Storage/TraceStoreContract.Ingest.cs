using System.Data.Common;
using OpsAssistant.Core.Model;
using OpsAssistant.Core.Sources;

namespace OpsAssistant.Infrastructure.Tests.Storage;

/// <summary>Concurrent ingest shares commits: every request's spans are stored and indexed, and a bad one fails alone.</summary>
public abstract partial class TraceStoreContract
{
    [Fact]
    public async Task AddSpans_ConcurrentRequests_StoreAndIndexEveryRequestsSpans()
    {
        // Each request brings a trace of its own and one span of a trace they all share.
        await Store.Traces.AddSpansAsync([TestSpans.Make(99, 1)]);
        var requests = Enumerable.Range(1, 12)
            .Select(n => new[] { TestSpans.Make(100 + n, 1), TestSpans.Make(100 + n, 2, parent: 1, error: n % 3 == 0), TestSpans.Make(99, n + 1, parent: 1) })
            .ToList();

        var stored = await Task.WhenAll(requests.Select(r => Task.Run(() => Store.Traces.AddSpansAsync(r))));

        Assert.All(stored, count => Assert.Equal(3, count));
        Assert.Equal(13, (await Store.Traces.GetTraceAsync(TestSpans.TraceId(99)))!.Spans.Count);
        var summaries = (await Store.Traces.SearchAsync(new TraceQuery { Limit = 100 })).ToDictionary(s => s.TraceId);
        Assert.Equal(13, summaries[TestSpans.TraceId(99)].SpanCount);
        for (var n = 1; n <= 12; n++)
        {
            Assert.Equal(2, (await Store.Traces.GetTraceAsync(TestSpans.TraceId(100 + n)))!.Spans.Count);
            Assert.Equal(n % 3 == 0 ? 1 : 0, summaries[TestSpans.TraceId(100 + n)].ErrorCount);
        }
    }

    [Fact]
    public async Task AddSpans_OneBadRequestAmongConcurrentOnes_FailsAloneAndTheOthersAreStored()
    {
        var good = Enumerable.Range(1, 8).Select(n => new[] { TestSpans.Make(200 + n, 1), TestSpans.Make(200 + n, 2, parent: 1) }).ToList();
        var bad = new[] { TestSpans.Make(300, 1), new Span { TraceId = "abc", SpanId = TestSpans.SpanId(2), Name = "broken", Resource = new Resource("checkout") } };

        var writes = good.Select(r => Task.Run(() => Store.Traces.AddSpansAsync(r))).ToList();
        var failing = Task.Run(() => Store.Traces.AddSpansAsync(bad));
        writes.AddRange(good.Select(r => Task.Run(() => Store.Traces.AddSpansAsync([r[1]]))));

        await Assert.ThrowsAnyAsync<DbException>(() => failing);
        Assert.All(await Task.WhenAll(writes), count => Assert.True(count > 0));
        for (var n = 1; n <= 8; n++)
        {
            Assert.Equal(2, (await Store.Traces.GetTraceAsync(TestSpans.TraceId(200 + n)))!.Spans.Count);
        }

        // Nothing of the bad request was kept, not even its valid span.
        Assert.Null(await Store.Traces.GetTraceAsync(TestSpans.TraceId(300)));
    }

    [Fact]
    public async Task AddSpans_SameSpanTwiceInOneRequest_KeepsTheLastCopy()
    {
        await Store.Traces.AddSpansAsync([TestSpans.Make(7, 1), TestSpans.Make(7, 2, parent: 1), TestSpans.Make(7, 2, parent: 1, error: true)]);

        var trace = await Store.Traces.GetTraceAsync(TestSpans.TraceId(7));

        Assert.Equal(2, trace!.Spans.Count);
        Assert.True(Assert.Single(trace.Spans, s => s.SpanId == TestSpans.SpanId(2)).IsError);
    }
}
