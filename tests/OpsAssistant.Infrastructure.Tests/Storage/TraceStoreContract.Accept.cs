using OpsAssistant.Core.Analyses;
using OpsAssistant.Infrastructure.Storage;

namespace OpsAssistant.Infrastructure.Tests.Storage;

/// <summary>Accepted alerts share commits, and the queue depth is counted once per interval, not per delivery.</summary>
public abstract partial class TraceStoreContract
{
    [Fact]
    public async Task TryAdd_ConcurrentDeliveriesOfTheSameAlerts_EachIsInsertedOnceAndEveryCallerIsAnswered()
    {
        var at = DateTimeOffset.UtcNow;

        // Ten alerts, each delivered twice at once (Alertmanager replicas send the same group).
        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(n => Task.Run(() => Store.Analyses.TryAddAsync(Queued($"alert-{n % 10}", at.AddMilliseconds(n % 10))))));

        Assert.Equal(10, answers.Count(inserted => inserted));
        Assert.Equal(10, await Store.Analyses.CountPendingAsync());
        for (var n = 0; n < 10; n++)
        {
            Assert.Equal(AnalysisStatus.Queued, (await Store.Analyses.GetAsync($"alert-{n}"))!.Status);
        }
    }

    [Fact]
    public async Task CountPending_WithinTheRecountInterval_FollowsOwnWritesAndSeesOtherReplicasAfterIt()
    {
        var clock = new ManualClock();
        var analyses = new AnalysisRepository(Store.Database, clock);
        var at = DateTimeOffset.UtcNow;
        await analyses.TryAddAsync(Queued("a", at));
        Assert.Equal(1, await analyses.CountPendingAsync());

        // Own writes keep the count current without counting again; another replica's insert is not seen yet.
        await analyses.TryAddAsync(Queued("b", at.AddMilliseconds(1)));
        await Store.Analyses.TryAddAsync(Queued("from-another-replica", at.AddMilliseconds(2)));
        var claimed = Assert.Single(await analyses.ClaimAsync("w", 1, LongLease));
        Assert.True(await analyses.CompleteAsync(Done(claimed, "ok"), "w", notify: false));
        Assert.Equal(1, await analyses.CountPendingAsync());

        clock.Advance(AnalysisRepository.PendingRecount);
        Assert.Equal(2, await analyses.CountPendingAsync());
    }

    /// <summary>A clock that moves only when told to.</summary>
    private sealed class ManualClock : TimeProvider
    {
        private long _ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => Interlocked.Read(ref _ticks);

        public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
    }
}
