using OpsAssistant.Core.Analyses;
using OpsAssistant.Core.Results;
using OpsAssistant.Infrastructure.Storage;

namespace OpsAssistant.Infrastructure.Tests.Storage;

/// <summary>The webhook job queue's contract: leases, exactly-once completion, delayed retries and the notification outbox.</summary>
public abstract partial class TraceStoreContract
{
    private static readonly TimeSpan LongLease = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task Claim_ConcurrentReplicas_TakeDisjointJobsAndEveryQueuedOneOnce()
    {
        var at = DateTimeOffset.UtcNow;
        for (var i = 0; i < 20; i++)
        {
            await Store.Analyses.TryAddAsync(Queued($"j{i:D2}", at.AddMilliseconds(i)));
        }

        await Store.Analyses.SaveAsync(new AnalysisRecord { Id = "api-done", TraceId = TestSpans.TraceId(3), Status = AnalysisStatus.Done, CreatedAt = DateTimeOffset.UtcNow, Origin = "api" });
        var replicas = Enumerable.Range(0, 4).Select(_ => OpenAnotherStore()).ToList();
        try
        {
            var claims = await Task.WhenAll(replicas.Select((replica, n) => Task.Run(async () =>
            {
                var mine = new List<AnalysisRecord>();
                for (var round = 0; round < 5; round++)
                {
                    mine.AddRange(await replica.Analyses.ClaimAsync($"replica-{n}", 2, LongLease));
                }

                return mine;
            })));

            var all = claims.SelectMany(c => c).ToList();
            Assert.Equal(20, all.Count);
            Assert.Equal(20, all.Select(r => r.Id).Distinct().Count());
            Assert.All(all, r => Assert.Equal(1, r.Attempts));
            Assert.All(all, r => Assert.Equal(AnalysisStatus.Running, r.Status));
            Assert.Empty(await Store.Analyses.ClaimAsync("late", 10, LongLease));
            Assert.Equal(20, await Store.Analyses.CountPendingAsync());
        }
        finally
        {
            foreach (var replica in replicas)
            {
                await DisposeStoreAsync(replica);
            }
        }
    }

    [Fact]
    public async Task Claim_ReturnsOldestFirstAndLeavesTheRest()
    {
        var at = DateTimeOffset.UtcNow;
        await Store.Analyses.TryAddAsync(Queued("q2", at.AddSeconds(1)));
        await Store.Analyses.TryAddAsync(Queued("q1", at) with { Subject = "HighErrorRate", TraceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" });

        var first = Assert.Single(await Store.Analyses.ClaimAsync("a", 1, LongLease));

        Assert.Equal("q1", first.Id);
        Assert.Equal("HighErrorRate", first.Subject);
        Assert.Equal("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", first.TraceParent);
        Assert.Equal("q2", Assert.Single(await Store.Analyses.ClaimAsync("b", 5, LongLease)).Id);
    }

    [Fact]
    public async Task Complete_AfterTheLeaseLapsedAndAnotherWorkerTookOver_OnlyTheNewHolderRecordsTheOutcome()
    {
        await Store.Analyses.TryAddAsync(Queued("slow", DateTimeOffset.UtcNow));
        var stale = Assert.Single(await Store.Analyses.ClaimAsync("worker-a", 1, TimeSpan.FromMilliseconds(100)));
        await Task.Delay(250);

        var takeover = Assert.Single(await Store.Analyses.ClaimAsync("worker-b", 1, LongLease));
        Assert.Equal(2, takeover.Attempts);
        Assert.False(await Store.Analyses.RenewAsync("slow", "worker-a", LongLease));
        Assert.False(await Store.Analyses.CompleteAsync(Done(stale, "from a"), "worker-a", notify: false));
        Assert.True(await Store.Analyses.RenewAsync("slow", "worker-b", LongLease));
        Assert.True(await Store.Analyses.CompleteAsync(Done(takeover, "from b"), "worker-b", notify: false));
        Assert.False(await Store.Analyses.CompleteAsync(Done(takeover, "again"), "worker-b", notify: false));

        var stored = (await Store.Analyses.GetAsync("slow"))!;
        Assert.Equal(AnalysisStatus.Done, stored.Status);
        Assert.Equal("from b", stored.Result!.Summary);
        Assert.Equal(0, await Store.Analyses.CountPendingAsync());
    }

    [Fact]
    public async Task RetryLater_IsNotClaimedBeforeItsTimeThenIsWithTheErrorKept()
    {
        await Store.Analyses.TryAddAsync(Queued("flaky", DateTimeOffset.UtcNow));
        Assert.Single(await Store.Analyses.ClaimAsync("w", 1, LongLease));

        Assert.True(await Store.Analyses.RetryLaterAsync("flaky", "w", DateTimeOffset.UtcNow.AddMilliseconds(300), "trace not found yet"));
        Assert.Empty(await Store.Analyses.ClaimAsync("w", 1, LongLease));
        Assert.Equal(1, await Store.Analyses.CountPendingAsync());
        await Task.Delay(450);

        var again = Assert.Single(await Store.Analyses.ClaimAsync("w", 1, LongLease));
        Assert.Equal(2, again.Attempts);
        Assert.Equal("trace not found yet", again.Error);
    }

    [Fact]
    public async Task Release_QueuesTheJobAtOnceWithoutCountingTheAttempt()
    {
        await Store.Analyses.TryAddAsync(Queued("stopping", DateTimeOffset.UtcNow));
        Assert.Single(await Store.Analyses.ClaimAsync("old-process", 1, LongLease));

        Assert.False(await Store.Analyses.ReleaseAsync("stopping", "someone-else"));
        Assert.True(await Store.Analyses.ReleaseAsync("stopping", "old-process"));

        Assert.Equal(1, Assert.Single(await Store.Analyses.ClaimAsync("new-process", 1, LongLease)).Attempts);
    }

    [Fact]
    public async Task Claim_RunningRowWithoutALease_IsTreatedAsAbandoned()
    {
        await Store.Analyses.SaveAsync(new AnalysisRecord { Id = "legacy", TraceId = TestSpans.TraceId(1), Status = AnalysisStatus.Running, CreatedAt = DateTimeOffset.UtcNow, Origin = "alertmanager" });

        Assert.Equal("legacy", Assert.Single(await Store.Analyses.ClaimAsync("w", 1, LongLease)).Id);
    }

    [Fact]
    public async Task Notifications_QueuedWithTheOutcome_AreClaimedOnceRetriedWhenDueAndNeverAfterSent()
    {
        await Store.Analyses.TryAddAsync(Queued("n1", DateTimeOffset.UtcNow));
        await Store.Analyses.TryAddAsync(Queued("quiet", DateTimeOffset.UtcNow.AddSeconds(1)));
        var jobs = await Store.Analyses.ClaimAsync("w", 2, LongLease);
        Assert.True(await Store.Analyses.CompleteAsync(Done(jobs[0], "ok"), "w", notify: true));
        Assert.True(await Store.Analyses.CompleteAsync(Done(jobs[1], "ok"), "w", notify: false));
        Assert.Equal(NotificationState.Pending, await Store.Analyses.GetNotificationAsync("n1"));
        Assert.Null(await Store.Analyses.GetNotificationAsync("quiet"));

        var first = Assert.Single(await Store.Analyses.ClaimNotificationsAsync(10, LongLease));
        Assert.Equal(("n1", 1), (first.Analysis.Id, first.Attempt));
        Assert.Equal("ok", first.Analysis.Result!.Summary);
        Assert.Empty(await Store.Analyses.ClaimNotificationsAsync(10, LongLease));

        // Due far enough ahead that a busy machine cannot reach it between these two lines.
        var due = DateTimeOffset.UtcNow.AddSeconds(2);
        await Store.Analyses.SetNotificationAsync("n1", NotificationState.Pending, due);
        Assert.Empty(await Store.Analyses.ClaimNotificationsAsync(10, LongLease));
        await Task.Delay(due - DateTimeOffset.UtcNow + TimeSpan.FromMilliseconds(100));
        var second = Assert.Single(await Store.Analyses.ClaimNotificationsAsync(10, TimeSpan.FromMilliseconds(50)));
        Assert.Equal(2, second.Attempt);

        // The sender died mid-delivery: its claim lapses and the notification is due again.
        await Task.Delay(200);
        Assert.Equal(3, Assert.Single(await Store.Analyses.ClaimNotificationsAsync(10, LongLease)).Attempt);
        await Store.Analyses.SetNotificationAsync("n1", NotificationState.Sent);
        Assert.Empty(await Store.Analyses.ClaimNotificationsAsync(10, TimeSpan.Zero));
        Assert.Equal(NotificationState.Sent, await Store.Analyses.GetNotificationAsync("n1"));
    }

    private static AnalysisRecord Queued(string id, DateTimeOffset at) =>
        new() { Id = id, TraceId = TestSpans.TraceId(1), Status = AnalysisStatus.Queued, Origin = "alertmanager", CreatedAt = at };

    private static AnalysisRecord Done(AnalysisRecord job, string summary) => job with
    {
        Status = AnalysisStatus.Done,
        CompletedAt = DateTimeOffset.UtcNow,
        Result = new AnalysisResult { TraceId = job.TraceId, Summary = summary },
    };
}
