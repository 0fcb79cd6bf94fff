using OpsAssistant.Core.Sources;

namespace OpsAssistant.Infrastructure.Tests.Storage;

/// <summary>
/// A trace arrives in pieces (one chunk per trace per request): it reads back whole and in start order, its summary adds
/// up every piece, and a span sent again (an exporter's retry) is read and counted once, its last copy winning.
/// </summary>
public abstract partial class TraceStoreContract
{
    [Fact]
    public async Task AddSpans_TraceOverSeveralRequests_ReadsBackInStartOrderAndSummarisesEveryRequest()
    {
        var ms = TimeSpan.FromMilliseconds(1);
        await Store.Traces.AddSpansAsync(
        [
            TestSpans.Make(1, 3, parent: 2, service: "checkout", name: "Charge", start: 30 * ms, error: true),
            TestSpans.Make(1, 4, parent: 2, service: "checkout", name: "Reserve", start: 10 * ms),
        ]);
        await Store.Traces.AddSpansAsync([TestSpans.Make(1, 2, parent: 1, service: "cart", name: "Checkout", start: 5 * ms, durationMs: 100)]);
        await Store.Traces.AddSpansAsync([TestSpans.Make(1, 1, service: "frontend", name: "GET /", durationMs: 200)]);

        var trace = await Store.Traces.GetTraceAsync(TestSpans.TraceId(1));
        var summary = Assert.Single(await Store.Traces.SearchAsync(new TraceQuery()));

        Assert.Equal([TestSpans.SpanId(1), TestSpans.SpanId(2), TestSpans.SpanId(4), TestSpans.SpanId(3)], trace!.Spans.Select(s => s.SpanId));
        Assert.Equal(TestSpans.SpanId(2), trace.Spans[3].ParentSpanId);
        Assert.Equal(4, summary.SpanCount);
        Assert.Equal(1, summary.ErrorCount);
        Assert.Equal("frontend", summary.RootService);
        Assert.Equal("GET /", summary.RootOperation);
        Assert.Equal(TestSpans.BaseTime, summary.Start);
        Assert.Equal(200, summary.DurationMs, 3);
        Assert.Equal(["cart", "checkout", "frontend"], summary.Services.Order(StringComparer.Ordinal));
        Assert.Single(await Store.Traces.SearchAsync(new TraceQuery { Service = "checkout", Operation = "Reserve" }));
        Assert.Single(await Store.Traces.SearchAsync(new TraceQuery { Operation = "Checkout" }));
        Assert.Empty(await Store.Traces.SearchAsync(new TraceQuery { Service = "cart", Operation = "Charge" }));
    }

    [Fact]
    public async Task AddSpans_TraceWithoutItsRootYet_SummarisesTheEarliestSpanWhoseParentIsMissing()
    {
        await Store.Traces.AddSpansAsync(
        [
            TestSpans.Make(1, 3, parent: 2, service: "payment", name: "Charge", start: TimeSpan.FromMilliseconds(20)),
            TestSpans.Make(1, 2, parent: 1, service: "checkout", name: "PlaceOrder", start: TimeSpan.FromMilliseconds(10)),
        ]);

        var summary = Assert.Single(await Store.Traces.SearchAsync(new TraceQuery()));

        Assert.Equal("checkout", summary.RootService);
        Assert.Equal("PlaceOrder", summary.RootOperation);
    }

    [Fact]
    public async Task AddSpans_SpansResentInLaterRequests_ReadOnceAsTheirLastCopyAndCountOnce()
    {
        await Store.Traces.AddSpansAsync([TestSpans.Make(1, 1), TestSpans.Make(1, 2, parent: 1, error: true), TestSpans.Make(1, 3, parent: 1)]);
        await Store.Traces.AddSpansAsync([TestSpans.Make(1, 2, parent: 1), TestSpans.Make(1, 3, parent: 1, name: "renamed")]);
        await Store.Traces.AddSpansAsync([TestSpans.Make(1, 3, parent: 1, name: "renamed", error: true), TestSpans.Make(1, 4, parent: 1)]);

        var trace = await Store.Traces.GetTraceAsync(TestSpans.TraceId(1));
        var summary = Assert.Single(await Store.Traces.SearchAsync(new TraceQuery()));

        Assert.Equal([TestSpans.SpanId(1), TestSpans.SpanId(2), TestSpans.SpanId(3), TestSpans.SpanId(4)], trace!.Spans.Select(s => s.SpanId));
        Assert.False(trace.Spans[1].IsError);
        Assert.Equal("renamed", trace.Spans[2].Name);
        Assert.True(trace.Spans[2].IsError);
        Assert.Equal(4, summary.SpanCount);
        Assert.Equal(1, summary.ErrorCount);
    }

    [Fact]
    public async Task AddSpans_ConcurrentRequestsResendingOneSpan_CountItOnce()
    {
        var requests = Enumerable.Range(1, 8).Select(n => new[] { TestSpans.Make(5, 1, error: true), TestSpans.Make(5, 10 + n, parent: 1) }).ToList();

        await Task.WhenAll(requests.Select(r => Task.Run(() => Store.Traces.AddSpansAsync(r))));

        var summary = Assert.Single(await Store.Traces.SearchAsync(new TraceQuery()));
        Assert.Equal(9, summary.SpanCount);
        Assert.Equal(1, summary.ErrorCount);
        Assert.Equal(9, (await Store.Traces.GetTraceAsync(TestSpans.TraceId(5)))!.Spans.Count);
    }
}
