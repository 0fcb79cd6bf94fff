namespace OpsAssistant.Core.Incidents;

/// <summary>
/// Where incident results persist, so a link in a notification still opens one later; queued rows are also the job queue of
/// alert incidents (claimed with a lease, like the analysis queue).
/// </summary>
public interface IIncidentStore
{
    /// <summary>Inserts or replaces the incident with the same ID.</summary>
    Task SaveAsync(IncidentResult incident, CancellationToken cancellationToken = default);

    Task<IncidentResult?> GetAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>Inserts the incident unless one with its ID exists (a redelivered alert); true when inserted.</summary>
    Task<bool> TryAddAsync(IncidentResult incident, CancellationToken cancellationToken = default);

    /// <summary>
    /// Takes the oldest queued incident, or a running one whose lease has lapsed, for <paramref name="owner"/> until
    /// <paramref name="leaseUntil"/>, counting an attempt; null when there is none.
    /// </summary>
    Task<IncidentResult?> ClaimAsync(string owner, DateTimeOffset now, DateTimeOffset leaseUntil, CancellationToken cancellationToken = default);

    /// <summary>Saves the outcome of a claimed incident if <paramref name="owner"/> still holds its lease; false otherwise.</summary>
    Task<bool> CompleteAsync(IncidentResult incident, string owner, CancellationToken cancellationToken = default);
}
