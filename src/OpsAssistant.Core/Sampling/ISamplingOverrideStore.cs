namespace OpsAssistant.Core.Sampling;

/// <summary>Where sampling overrides and their audit trail persist (the same database as traces and analyses).</summary>
public interface ISamplingOverrideStore
{
    /// <summary>
    /// Inserts <paramref name="entry"/> unless it would put more than <paramref name="maxFullServices"/> services at or above
    /// <paramref name="fullRate"/> at <paramref name="entry"/>'s creation time; false when the ceiling refused it.
    /// </summary>
    Task<bool> TryAddOverrideAsync(SamplingOverride entry, double fullRate, int maxFullServices, CancellationToken cancellationToken = default);

    /// <summary>
    /// True when an override made by <paramref name="trigger"/> for <paramref name="service"/> is in force at
    /// <paramref name="at"/>: a redelivered alert finds the raise it already made, however many other overrides are in force.
    /// </summary>
    Task<bool> IsTriggerInForceAsync(string trigger, string service, DateTimeOffset at, CancellationToken cancellationToken = default);

    Task<SamplingOverride?> GetOverrideAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>Ends one override that is still in force at <paramref name="at"/>; false when it was not.</summary>
    Task<bool> EndOverrideAsync(string id, string endedBy, DateTimeOffset at, CancellationToken cancellationToken = default);

    /// <summary>Ends every override in force at <paramref name="at"/> whose trigger or service matches; returns how many.</summary>
    Task<IReadOnlyList<SamplingOverride>> EndOverridesAsync(string? trigger, string? service, string endedBy, DateTimeOffset at, CancellationToken cancellationToken = default);

    /// <summary>Overrides newest first: only those in force at <paramref name="activeAt"/> when given, else all (the audit).</summary>
    Task<IReadOnlyList<SamplingOverride>> ListOverridesAsync(DateTimeOffset? activeAt, int limit, CancellationToken cancellationToken = default);

    /// <summary>Remembers that the analysis <paramref name="analysisId"/>'s root-cause service should be raised when it completes.</summary>
    Task AddPendingRaiseAsync(string analysisId, string trigger, string createdBy, DateTimeOffset at, CancellationToken cancellationToken = default);

    /// <summary>Removes and returns the pending raise of an analysis, or null when there is none.</summary>
    Task<(string Trigger, string CreatedBy)?> TakePendingRaiseAsync(string analysisId, CancellationToken cancellationToken = default);

    /// <summary>Forgets the pending raises of a trigger (the alert resolved before its analysis finished).</summary>
    Task<int> RemovePendingRaisesAsync(string trigger, CancellationToken cancellationToken = default);
}
