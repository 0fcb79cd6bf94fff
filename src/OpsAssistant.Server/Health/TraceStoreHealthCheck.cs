using Microsoft.Extensions.Diagnostics.HealthChecks;
using OpsAssistant.Infrastructure.Storage;

namespace OpsAssistant.Server.Health;

/// <summary>The store answers a trivial query: without it nothing can be ingested, analysed or queued.</summary>
internal sealed class TraceStoreHealthCheck(RelationalDatabase store) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        await store.PingAsync(cancellationToken)
            ? HealthCheckResult.Healthy("store answers")
            : HealthCheckResult.Unhealthy("The trace store does not answer.");
}
