namespace OpsAssistant.Server.Health;

/// <summary>Body of the health endpoints.</summary>
public sealed record HealthStatus(string Status);
