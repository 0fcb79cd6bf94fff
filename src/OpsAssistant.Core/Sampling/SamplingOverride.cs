namespace OpsAssistant.Core.Sampling;

/// <summary>
/// One change to a service's head-sampling rate, kept for the audit after it ends. It is in force from
/// <see cref="CreatedAt"/> until <see cref="ExpiresAt"/> or until someone ends it (<see cref="EndedAt"/>); expiry is read
/// from the clock when strategies are served, so nothing has to run for an override to lapse.
/// </summary>
public sealed record SamplingOverride
{
    public required string Id { get; init; }

    public required string Service { get; init; }

    /// <summary>Probability in [0, 1] that a new trace of the service is sampled.</summary>
    public required double Rate { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset ExpiresAt { get; init; }

    /// <summary>Who or what made the change: <c>operator …</c>, <c>alert &lt;fingerprint&gt;</c>, <c>chat &lt;conversationId&gt;</c>.</summary>
    public required string CreatedBy { get; init; }

    public string? Reason { get; init; }

    /// <summary>
    /// What ends the override besides its expiry, e.g. <c>alert:&lt;fingerprint&gt;</c> (its resolved delivery); null for
    /// overrides only a person or the clock ends.
    /// </summary>
    public string? Trigger { get; init; }

    public DateTimeOffset? EndedAt { get; init; }

    public string? EndedBy { get; init; }

    public bool IsActiveAt(DateTimeOffset now) => EndedAt is null && ExpiresAt > now;
}
