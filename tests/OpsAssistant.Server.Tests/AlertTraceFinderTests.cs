using NSubstitute;
using OpsAssistant.Core.Sources;
using OpsAssistant.Server.Webhooks;

namespace OpsAssistant.Server.Tests;

/// <summary>Which stored trace an alert without a trace ID is about: the worst one, where "worst" follows the alert.</summary>
public sealed class AlertTraceFinderTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 25, 8, 0, 0, TimeSpan.Zero);
    private static readonly TraceSummary Failing = Summary("a1", durationMs: 120, errors: 4);
    private static readonly TraceSummary Slow = Summary("b2", durationMs: 9000, errors: 0);
    private static readonly TraceSummary SlowAndFailing = Summary("c3", durationMs: 2500, errors: 1);

    [Fact]
    public async Task ErrorAlert_PicksTheMostErroredTraceOfTheService()
    {
        var store = Store(errored: [SlowAndFailing, Failing], any: [Slow, SlowAndFailing, Failing]);

        Assert.Equal("a1", await FindAsync(store, Alert("CheckoutErrorRate")));
    }

    [Fact]
    public async Task LatencyAlert_PicksTheSlowestTraceEvenWithoutErrors()
    {
        var store = Store(errored: [SlowAndFailing, Failing], any: [Slow, SlowAndFailing, Failing]);

        Assert.Equal("b2", await FindAsync(store, Alert("CheckoutHighLatencyP99")));
    }

    [Fact]
    public async Task ErrorAlertWithNoErroredTrace_FallsBackToTheSlowest()
    {
        var store = Store(errored: [], any: [Failing with { ErrorCount = 0 }, Slow]);

        Assert.Equal("b2", await FindAsync(store, Alert("CheckoutErrorRate")));
    }

    [Fact]
    public async Task OperationLabel_NarrowsTheSearchFirstThenWidensToTheService()
    {
        var store = Substitute.For<ITraceStore>();
        store.SearchAsync(Arg.Is<TraceQuery>(q => q.Operation == "POST /pay"), Arg.Any<CancellationToken>()).Returns([]);
        store.SearchAsync(Arg.Is<TraceQuery>(q => q.Operation == null && q.HasError == true), Arg.Any<CancellationToken>()).Returns([Failing]);

        Assert.Equal("a1", await FindAsync(store, Alert("CheckoutErrorRate", ("operation", "POST /pay"))));
        await store.Received().SearchAsync(Arg.Is<TraceQuery>(q => q.Operation == "POST /pay" && q.Service == "checkout"
            && q.From == At.AddMinutes(-15) && q.To == At.AddMinutes(15)), Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task NothingStored_IsNull()
    {
        Assert.Null(await FindAsync(Store(errored: [], any: []), Alert("CheckoutErrorRate")));
    }

    private static Task<string?> FindAsync(ITraceStore store, WebhookAlert alert) =>
        AlertTraceFinder.FindAsync(store, alert, AlertTraceFinder.Service(alert)!, At, TimeSpan.FromMinutes(15), CancellationToken.None);

    private static ITraceStore Store(IReadOnlyList<TraceSummary> errored, IReadOnlyList<TraceSummary> any)
    {
        var store = Substitute.For<ITraceStore>();
        store.SearchAsync(Arg.Is<TraceQuery>(q => q.HasError == true), Arg.Any<CancellationToken>()).Returns(errored);
        store.SearchAsync(Arg.Is<TraceQuery>(q => q.HasError == null), Arg.Any<CancellationToken>()).Returns(any);
        return store;
    }

    private static WebhookAlert Alert(string name, params (string Key, string Value)[] labels)
    {
        var all = new Dictionary<string, string> { ["alertname"] = name, ["job"] = "checkout" };
        foreach (var (key, value) in labels)
        {
            all[key] = value;
        }

        return new WebhookAlert { Status = "firing", Labels = all, Annotations = new Dictionary<string, string>(), Fingerprint = "f", StartsAt = At };
    }

    private static TraceSummary Summary(string id, double durationMs, int errors) =>
        new(id, "checkout", "POST /pay", At, durationMs, 10, errors, ["checkout"]);
}
