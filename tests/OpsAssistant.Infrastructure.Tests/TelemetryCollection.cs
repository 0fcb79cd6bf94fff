namespace OpsAssistant.Infrastructure.Tests;

/// <summary>
/// Tests that listen to the process-wide <c>OpsAssistant</c> ActivitySource/Meter run alone, so spans and metrics from
/// other tests running in parallel cannot leak into their assertions.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TelemetryCollection
{
    public const string Name = "telemetry";
}
