using OpsAssistant.Infrastructure.Storage;

namespace OpsAssistant.Infrastructure.Tests.Storage;

/// <summary>
/// Reuse of a trace read earlier: only while nothing was ingested into it since, by this store or another process on the
/// same database.
/// </summary>
public abstract partial class TraceStoreContract
{
    [Fact]
    public async Task GetTrace_UnchangedTrace_ReturnsTheCopyReadBefore()
    {
        await Store.Traces.AddSpansAsync([TestSpans.Make(1, 1), TestSpans.Make(1, 2, parent: 1)]);

        var first = await Store.Traces.GetTraceAsync(TestSpans.TraceId(1));
        var second = await Store.Traces.GetTraceAsync(TestSpans.TraceId(1).ToUpperInvariant());

        Assert.NotNull(first);
        Assert.Same(first, second);
    }

    [Fact]
    public async Task GetTrace_AfterMoreSpansOrAChangedSpanAreIngested_ReadsTheNewState()
    {
        await Store.Traces.AddSpansAsync([TestSpans.Make(1, 1), TestSpans.Make(1, 2, parent: 1)]);
        var before = await Store.Traces.GetTraceAsync(TestSpans.TraceId(1));

        await Store.Traces.AddSpansAsync([TestSpans.Make(1, 3, parent: 1)]);
        var added = await Store.Traces.GetTraceAsync(TestSpans.TraceId(1));

        // Same count, same times: only the payload (status) of one span differs.
        await Store.Traces.AddSpansAsync([TestSpans.Make(1, 2, parent: 1, error: true)]);
        var changed = await Store.Traces.GetTraceAsync(TestSpans.TraceId(1));

        Assert.Equal(2, before!.Spans.Count);
        Assert.Equal(3, added!.Spans.Count);
        Assert.True(Assert.Single(changed!.Spans, s => s.SpanId == TestSpans.SpanId(2)).IsError);
    }

    [Fact]
    public async Task GetTrace_SpansIngestedByAnotherStoreOnTheSameDatabase_AreSeen()
    {
        await Store.Traces.AddSpansAsync([TestSpans.Make(1, 1)]);
        Assert.Single((await Store.Traces.GetTraceAsync(TestSpans.TraceId(1)))!.Spans);

        // Another replica ingests: this store's cached copy must not hide it.
        var replica = OpenAnotherStore();
        try
        {
            await replica.Traces.AddSpansAsync([TestSpans.Make(1, 2, parent: 1)]);
        }
        finally
        {
            await DisposeStoreAsync(replica);
        }

        Assert.Equal(2, (await Store.Traces.GetTraceAsync(TestSpans.TraceId(1)))!.Spans.Count);
    }

    [Fact]
    public async Task GetTrace_CacheOff_LoadsEveryTime()
    {
        await Store.Traces.AddSpansAsync([TestSpans.Make(1, 1)]);
        var uncached = OpenAnotherStore(traceCacheSpans: 0);
        try
        {
            var first = await uncached.Traces.GetTraceAsync(TestSpans.TraceId(1));
            var second = await uncached.Traces.GetTraceAsync(TestSpans.TraceId(1));

            Assert.NotNull(first);
            Assert.NotSame(first, second);
            Assert.Equal(0, uncached.Traces.TraceCache.Count);
        }
        finally
        {
            await DisposeStoreAsync(uncached);
        }
    }
}
