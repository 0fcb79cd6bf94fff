using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using OpsAssistant.Core.Analyses;
using OpsAssistant.Server.Webhooks;

namespace OpsAssistant.Server.Health;

/// <summary>
/// Room in the alert queue. A full queue refuses deliveries (503, the sender retries) but the replica still serves
/// everything else, so it is degraded rather than unready: taking it out of rotation would not drain the queue.
/// </summary>
internal sealed class AnalysisQueueHealthCheck(IAnalysisQueue queue, IOptions<WebhookOptions> options) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var pending = await queue.CountPendingAsync(cancellationToken);
        var limit = options.Value.MaxQueuedAnalyses;
        var data = new Dictionary<string, object> { ["pending"] = pending, ["limit"] = limit };
        return pending >= limit
            ? HealthCheckResult.Degraded($"The alert queue is full ({pending} of {WebhookOptions.SectionName}:MaxQueuedAnalyses = {limit}): deliveries get 503.", data: data)
            : HealthCheckResult.Healthy($"{pending} of {limit} queued or running", data);
    }
}
