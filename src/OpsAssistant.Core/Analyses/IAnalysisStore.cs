namespace OpsAssistant.Core.Analyses;

/// <summary>Where analyses persist so <c>GET /api/analyses/{id}</c> can answer after the request that made them.</summary>
public interface IAnalysisStore
{
    /// <summary>Inserts or replaces the record with the same ID.</summary>
    Task SaveAsync(AnalysisRecord record, CancellationToken cancellationToken = default);

    Task<AnalysisRecord?> GetAsync(string id, CancellationToken cancellationToken = default);
}
