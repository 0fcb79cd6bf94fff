namespace OpsAssistant.Server.Health;

/// <summary>One readiness check: healthy, degraded or unhealthy, and why.</summary>
internal sealed record HealthCheckBody(string Status, string? Description);
