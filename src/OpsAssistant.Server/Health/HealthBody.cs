namespace OpsAssistant.Server.Health;

/// <summary>Body of <c>/healthz</c> (status only) and <c>/readyz</c> (status and each check).</summary>
internal sealed record HealthBody(string Status, IReadOnlyDictionary<string, HealthCheckBody>? Checks);
