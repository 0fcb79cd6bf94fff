namespace OpsAssistant.Core.Analyses;

/// <summary>
/// Where analyses persist so <c>GET /api/analyses/{id}</c> can answer after the request that made them. Queued records are
/// also the webhook job queue: the status column is the queue, so a job is exactly as durable as its record.
/// </summary>
public interface IAnalysisStore
{
    /// <summary>Inserts or replaces the record with the same ID.</summary>
    Task SaveAsync(AnalysisRecord record, CancellationToken cancellationToken = default);

    Task<AnalysisRecord?> GetAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>Inserts the record unless one with its ID exists (a redelivered alert); true when it was inserted.</summary>
    Task<bool> TryAddAsync(AnalysisRecord record, CancellationToken cancellationToken = default);

    /// <summary>IDs of queued analyses, oldest first.</summary>
    Task<IReadOnlyList<string>> ListQueuedAsync(int limit, CancellationToken cancellationToken = default);

    /// <summary>Moves a queued analysis to running; false when another worker claimed it first.</summary>
    Task<bool> TryClaimAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>Returns analyses left running by a process that stopped mid-job to the queue; the count returned.</summary>
    Task<int> RequeueRunningAsync(CancellationToken cancellationToken = default);
}
