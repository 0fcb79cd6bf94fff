namespace OpsAssistant.Core.Analyses;

/// <summary>
/// Where analyses persist so <c>GET /api/analyses/{id}</c> can answer after the request that made them. Queued records are
/// also the webhook job queue (<see cref="IAnalysisQueue"/>), so a job is exactly as durable as its record.
/// </summary>
public interface IAnalysisStore
{
    /// <summary>Inserts or replaces the record with the same ID.</summary>
    Task SaveAsync(AnalysisRecord record, CancellationToken cancellationToken = default);

    Task<AnalysisRecord?> GetAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>Inserts the record unless one with its ID exists (a redelivered alert); true when it was inserted.</summary>
    Task<bool> TryAddAsync(AnalysisRecord record, CancellationToken cancellationToken = default);
}
