namespace OpsAssistant.Server.Health;

/// <summary>One readiness check: healthy, degraded or unhealthy, and why.</summary>
public sealed record HealthCheckBody(string Status, string? Description);
