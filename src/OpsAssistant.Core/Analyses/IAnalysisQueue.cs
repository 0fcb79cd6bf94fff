namespace OpsAssistant.Core.Analyses;

/// <summary>
/// The durable job queue behind alert webhooks: queued analyses are rows, and a worker holds a time-limited lease on each
/// job it runs. Leases make the queue safe for several replicas and for crashes alike: a job whose worker died is claimed
/// again once its lease lapses, and only the current lease holder can record the outcome, so each job completes exactly
/// once even when a slow worker and its successor both ran it.
/// </summary>
public interface IAnalysisQueue
{
    /// <summary>Queued and running jobs: what the webhook compares with its bound before accepting more.</summary>
    Task<int> CountPendingAsync(CancellationToken cancellationToken = default);

    /// <summary>How many analyses are in each status (queue depth for operators and tests).</summary>
    Task<IReadOnlyDictionary<AnalysisStatus, int>> CountByStatusAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Claims up to <paramref name="limit"/> jobs, oldest first: queued ones that are due, and running ones whose lease has
    /// lapsed. Each claim adds one to <see cref="AnalysisRecord.Attempts"/>. Concurrent callers never receive the same job.
    /// </summary>
    Task<IReadOnlyList<AnalysisRecord>> ClaimAsync(string owner, int limit, TimeSpan lease, CancellationToken cancellationToken = default);

    /// <summary>Extends the lease; false when <paramref name="owner"/> no longer holds it (the job must then stop).</summary>
    Task<bool> RenewAsync(string id, string owner, TimeSpan lease, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records the outcome (done or failed) if <paramref name="owner"/> still holds the lease; false, with nothing written,
    /// when it does not. With <paramref name="notify"/> the job's notification is queued in the same statement.
    /// </summary>
    Task<bool> CompleteAsync(AnalysisRecord outcome, string owner, bool notify, CancellationToken cancellationToken = default);

    /// <summary>Queues the job again, not before <paramref name="notBefore"/>, keeping <paramref name="reason"/> as the job's error.</summary>
    Task<bool> RetryLaterAsync(string id, string owner, DateTimeOffset notBefore, string reason, CancellationToken cancellationToken = default);

    /// <summary>Gives a job back untouched (the worker is stopping): queued again at once, the attempt not counted.</summary>
    Task<bool> ReleaseAsync(string id, string owner, CancellationToken cancellationToken = default);

    /// <summary>Records that the alert behind an analysis resolved (the first time only); false when there is no such analysis.</summary>
    Task<bool> MarkResolvedAsync(string id, DateTimeOffset at, CancellationToken cancellationToken = default);

    /// <summary>Claims up to <paramref name="limit"/> due notifications, as for jobs: a lapsed sending lease is claimable again.</summary>
    Task<IReadOnlyList<NotificationJob>> ClaimNotificationsAsync(int limit, TimeSpan lease, CancellationToken cancellationToken = default);

    /// <summary>Marks a notification sent, or failed for good, or (with <paramref name="retryAt"/>) due again later.</summary>
    Task SetNotificationAsync(string id, NotificationState state, DateTimeOffset? retryAt = null, CancellationToken cancellationToken = default);

    /// <summary>The notification state of an analysis, or null when none was queued.</summary>
    Task<NotificationState?> GetNotificationAsync(string id, CancellationToken cancellationToken = default);
}
