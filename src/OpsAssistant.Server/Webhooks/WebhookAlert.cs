namespace OpsAssistant.Server.Webhooks;

/// <summary>One alert from an Alertmanager (v4) or Grafana webhook notification, in the fields both senders share.</summary>
internal sealed record WebhookAlert
{
    /// <summary><c>firing</c> or <c>resolved</c>, lower case.</summary>
    public required string Status { get; init; }

    public required IReadOnlyDictionary<string, string> Labels { get; init; }

    public required IReadOnlyDictionary<string, string> Annotations { get; init; }

    public DateTimeOffset? StartsAt { get; init; }

    /// <summary>The sender's fingerprint; older senders omit it, so the parser derives one from the labels (as Alertmanager does).</summary>
    public required string Fingerprint { get; init; }

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1056:URI-like properties should not be strings", Justification = "Copied as sent from an untrusted alert payload and only passed on; parsing it would reject or rewrite what the sender wrote.")]
    public string? GeneratorUrl { get; init; }

    /// <summary>Normalised trace ID found in the labels or annotations, or null.</summary>
    public string? TraceId { get; init; }

    /// <summary>A human name for the alert in responses: its <c>alertname</c> label, else the fingerprint.</summary>
    public string Name => Labels.TryGetValue("alertname", out var name) && name.Length > 0 ? name : Fingerprint;

    public bool IsFiring => string.Equals(Status, "firing", StringComparison.Ordinal);
}
