using OpsAssistant.Core.Analyses;
using OpsAssistant.Core.Sampling;
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

    [Fact]
    public async Task Accept_DeliveryWithAnalysesAndRaises_CommitsThemTogetherAndARedeliveryFindsBoth()
    {
        var at = DateTimeOffset.UtcNow;
        var repository = new AnalysisRepository(Store.Database);
        AlertIntake Delivery() => new(
            [Queued("alert-a", at), Queued("alert-b", at.AddMilliseconds(1))],
            [Raise("so-a", "checkout", "alert:a"), Raise("so-b", "checkout", "alert:b")]);

        var first = await repository.AcceptAsync(Delivery());

        Assert.Equal([true, true], first.Inserted);
        Assert.Equal([SamplingWriteOutcome.Created, SamplingWriteOutcome.Joined], first.Sampling);
        Assert.Equal(1, repository.AcceptGroups);
        Assert.Equal(2, await repository.CountPendingAsync());

        // The sender's retry: the same analyses, and no second override for either alert while the first is in force.
        var again = await repository.AcceptAsync(Delivery() with { Sampling = [Raise("so-a2", "checkout", "alert:a"), Raise("so-b2", "checkout", "alert:b")] });

        Assert.Equal([false, false], again.Inserted);
        Assert.Equal([SamplingWriteOutcome.InForce, SamplingWriteOutcome.InForce], again.Sampling);
        Assert.Equal(["so-a", "so-b"], (await Store.Overrides.ListOverridesAsync(DateTimeOffset.UtcNow, 10)).Select(o => o.Id).Order(StringComparer.Ordinal));
        Assert.Equal(2, await repository.CountPendingAsync());
    }

    [Fact]
    public async Task Accept_RaisePastTheCeiling_IsRefusedWhileTheAnalysisIsQueued()
    {
        var repository = new AnalysisRepository(Store.Database);
        var result = await repository.AcceptAsync(new AlertIntake(
            [Queued("alert-c", DateTimeOffset.UtcNow)],
            [Raise("so-c", "checkout", "alert:c", maxFull: 1), Raise("so-p", "payment", "alert:p", maxFull: 1)]));

        Assert.Equal([true], result.Inserted);
        Assert.Equal([SamplingWriteOutcome.Created, SamplingWriteOutcome.CeilingReached], result.Sampling);
        Assert.Null(await Store.Overrides.GetOverrideAsync("so-p"));
    }

    [Fact]
    public async Task Accept_OneAnalysisOfADeliveryFails_NothingOfThatDeliveryIsStoredAndOthersAre()
    {
        var at = DateTimeOffset.UtcNow;
        var repository = new AnalysisRepository(Store.Database);

        // Concurrent deliveries may share the failing one's transaction: the group is written again, each delivery alone.
        var good = Task.Run(() => repository.AcceptAsync(new AlertIntake([Queued("alert-good", at)], [Raise("so-good", "cart", "alert:good")])));
        var bad = Task.Run(() => repository.AcceptAsync(new AlertIntake(
            [Queued("alert-ok", at), Queued("alert-broken", at) with { TraceId = null! }],
            [Raise("so-bad", "checkout", "alert:bad")])));

        await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() => bad);
        Assert.Equal([true], (await good).Inserted);
        Assert.Null(await repository.GetAsync("alert-ok"));
        Assert.Null(await Store.Overrides.GetOverrideAsync("so-bad"));
        Assert.NotNull(await repository.GetAsync("alert-good"));
        Assert.NotNull(await Store.Overrides.GetOverrideAsync("so-good"));
    }

    private static AlertSamplingWrite Raise(string id, string service, string trigger, int maxFull = 5) =>
        AlertSamplingWrite.ForRaise(Override(id, service, trigger: trigger, at: DateTimeOffset.UtcNow), 1.0, maxFull);

    /// <summary>A clock that moves only when told to.</summary>
    private sealed class ManualClock : TimeProvider
    {
        private long _ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => Interlocked.Read(ref _ticks);

        public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
    }
}
