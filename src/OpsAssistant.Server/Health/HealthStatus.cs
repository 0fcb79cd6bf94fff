namespace OpsAssistant.Server.Health;

/// <summary>Body of the health endpoints.</summary>
internal sealed record HealthStatus(string Status);
