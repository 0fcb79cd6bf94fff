using OpsAssistant.Core.Sampling;

namespace OpsAssistant.Server.Sampling;

/// <summary>One override as the API shows it, with its state now: <c>active</c>, <c>expired</c> or <c>ended</c>.</summary>
internal sealed record OverrideView(
    string Id, string Service, double Rate, string Status, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, string CreatedBy,
    string? Reason, DateTimeOffset? EndedAt, string? EndedBy)
{
    public static OverrideView From(SamplingOverride entry, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var status = entry.EndedAt is not null ? "ended" : entry.ExpiresAt <= now ? "expired" : "active";
        return new OverrideView(entry.Id, entry.Service, entry.Rate, status, entry.CreatedAt, entry.ExpiresAt, entry.CreatedBy,
            entry.Reason, entry.EndedAt, entry.EndedBy);
    }
}
