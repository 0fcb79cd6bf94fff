namespace OpsAssistant.Infrastructure.Sampling;

/// <summary>
/// A change someone or something asks for: <paramref name="Service"/> at <paramref name="Rate"/> for <paramref name="Ttl"/>.
/// <paramref name="CreatedBy"/> is recorded in the audit; <paramref name="Trigger"/> lets a later event (an alert's resolved
/// notification) end it.
/// </summary>
public sealed record SamplingOverrideRequest(string Service, double Rate, TimeSpan Ttl, string? Reason, string CreatedBy, string? Trigger = null);
