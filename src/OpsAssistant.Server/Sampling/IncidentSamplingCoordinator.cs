using System.Data.Common;
using OpsAssistant.Core.Analyses;
using OpsAssistant.Core.Sampling;
using OpsAssistant.Infrastructure.Sampling;

namespace OpsAssistant.Server.Sampling;

/// <summary>
/// Alerts drive sampling: a firing alert that names a service raises it to <see cref="SamplingOptions.IncidentRate"/> until
/// the same fingerprint's resolved notification arrives or <see cref="SamplingOptions.IncidentTtl"/> passes. An alert that
/// carries a trace but names no service raises the service its analysis blames, once that analysis completes. Sampling is
/// a side effect of alert handling: a store failure here is logged and never fails the webhook or the analysis. The webhooks
/// hand their alerts in; completed analyses arrive as <see cref="AnalysisCompleted"/> events.
/// </summary>
internal sealed partial class IncidentSamplingCoordinator(
    SamplingOverrideService overrides,
    ISamplingOverrideStore store,
    TimeProvider clock,
    ILogger<IncidentSamplingCoordinator> logger) : IAnalysisCompletedHandler
{
    /// <summary>Labels that name the alert's service, most specific first (<c>job</c> is Prometheus's scrape job).</summary>
    private static readonly string[] ServiceLabels = ["service", "service_name", "service.name", "job"];

    public async Task OnAlertsAsync(IReadOnlyList<IncidentAlert> alerts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(alerts);
        try
        {
            foreach (var alert in alerts)
            {
                await OnAlertAsync(alert, cancellationToken);
            }
        }
        catch (DbException ex)
        {
            LogStoreFailed(logger, ex);
        }
    }

    /// <summary>Raises the root-cause service of a done analysis an alert without a service label was waiting for.</summary>
    public async Task OnAnalysisCompletedAsync(AnalysisCompleted completed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(completed);
        if (completed.Analysis is not { Status: AnalysisStatus.Done, Result: { } result, Id: var analysisId })
        {
            return;
        }

        try
        {
            if (await store.TakePendingRaiseAsync(analysisId, cancellationToken) is not { } pending)
            {
                return;
            }

            var service = result.Hypotheses.FirstOrDefault(h => SamplingNames.IsValidService(h.Service))?.Service;
            if (service is null)
            {
                return;
            }

            await RaiseAsync(service, pending.CreatedBy, pending.Trigger, $"root cause of analysis {analysisId}", cancellationToken);
        }
        catch (DbException ex)
        {
            LogStoreFailed(logger, ex);
        }
    }

    /// <summary>The service an alert is about, from its labels, or null.</summary>
    public static string? ServiceOf(IncidentAlert alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        foreach (var label in ServiceLabels)
        {
            if (alert.Labels.TryGetValue(label, out var value) && SamplingNames.IsValidService(value.Trim()))
            {
                return value.Trim();
            }
        }

        return null;
    }

    private async Task OnAlertAsync(IncidentAlert alert, CancellationToken cancellationToken)
    {
        var trigger = "alert:" + alert.Fingerprint;
        if (!alert.IsFiring)
        {
            await overrides.EndTriggerAsync(trigger, $"alert {alert.Fingerprint} resolved", cancellationToken);
            await store.RemovePendingRaisesAsync(trigger, cancellationToken);
            return;
        }

        var createdBy = $"alert {alert.Fingerprint}";
        if (ServiceOf(alert) is { } service)
        {
            await RaiseAsync(service, createdBy, trigger, $"alert {alert.Name} firing", cancellationToken);
        }
        else if (alert.AnalysisId is { } analysisId)
        {
            await store.AddPendingRaiseAsync(analysisId, trigger, createdBy, clock.GetUtcNow(), cancellationToken);
        }
    }

    private async Task RaiseAsync(string service, string createdBy, string trigger, string reason, CancellationToken cancellationToken)
    {
        // Alertmanager re-sends a firing alert every repeat_interval: one raise per alert and service while it lasts. One
        // indexed look-up, not a read of every override in force: an alert storm raises one override per alert.
        if (await store.IsTriggerInForceAsync(trigger, service, clock.GetUtcNow(), cancellationToken))
        {
            return;
        }

        var settings = overrides.Options;
        await overrides.SetAsync(new SamplingOverrideRequest(service, settings.IncidentRate, settings.IncidentTtl, reason, createdBy, trigger), cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Incident sampling could not reach the store; sampling rates were not changed")]
    private static partial void LogStoreFailed(ILogger logger, Exception exception);
}
