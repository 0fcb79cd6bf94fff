namespace OpsAssistant.Server.Sampling;

/// <summary>
/// <c>POST /api/sampling/overrides</c>: sample <see cref="Service"/> at <see cref="Rate"/> for <see cref="Ttl"/>
/// (<c>30m</c>, <c>2h</c>, <c>00:30:00</c>) or until <see cref="Until"/>; <see cref="Operator"/> names the person in the audit.
/// </summary>
internal sealed record OverrideRequest(string? Service, double? Rate, string? Ttl, DateTimeOffset? Until, string? Reason, string? Operator);
