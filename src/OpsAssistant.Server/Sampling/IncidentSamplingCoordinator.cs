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
/// write their firing alerts' raises (<see cref="PlanFiring"/>) in the transaction that queues the alerts' analyses and
/// report the outcome (<see cref="Report"/>); resolved alerts, and firing ones when the queue is full, go through
/// <see cref="OnAlertsAsync"/>. Completed analyses arrive as <see cref="AnalysisCompleted"/> events.
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

    /// <summary>
    /// The sampling writes of a delivery's firing alerts, to be stored with its analyses: a raise of the service an alert
    /// names (once per alert and service while it lasts: the store checks that in the same transaction), or a pending raise
    /// of the service the alert's analysis will blame. Resolved alerts are skipped (see <see cref="OnAlertsAsync"/>).
    /// </summary>
    public IReadOnlyList<AlertSamplingWrite> PlanFiring(IReadOnlyList<IncidentAlert> alerts)
    {
        ArgumentNullException.ThrowIfNull(alerts);
        var writes = new List<AlertSamplingWrite>(alerts.Count);
        var settings = overrides.Options;
        foreach (var alert in alerts)
        {
            if (!alert.IsFiring)
            {
                continue;
            }

            var trigger = Trigger(alert);
            var createdBy = CreatedBy(alert);
            if (ServiceOf(alert) is { } service)
            {
                if (overrides.PrepareRaise(new SamplingOverrideRequest(service, settings.IncidentRate, settings.IncidentTtl, Firing(alert), createdBy, trigger)) is { } raise)
                {
                    writes.Add(raise);
                }
            }
            else if (alert.AnalysisId is { } analysisId)
            {
                writes.Add(AlertSamplingWrite.ForPending(new PendingSamplingRaise(analysisId, trigger, createdBy, clock.GetUtcNow())));
            }
        }

        return writes;
    }

    /// <summary>Telemetry and logs of the committed writes of <see cref="PlanFiring"/>, in order with their outcomes.</summary>
    public void Report(IReadOnlyList<AlertSamplingWrite> writes, IReadOnlyList<SamplingWriteOutcome> outcomes)
    {
        ArgumentNullException.ThrowIfNull(writes);
        ArgumentNullException.ThrowIfNull(outcomes);
        for (var i = 0; i < writes.Count; i++)
        {
            overrides.Report(writes[i], outcomes[i]);
        }
    }

    /// <summary>The writes of <see cref="PlanFiring"/> could not be stored; the delivery's analyses went without them.</summary>
    public void ReportStoreFailure(DbException exception) => LogStoreFailed(logger, exception);

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

    private static string Trigger(IncidentAlert alert) => "alert:" + alert.Fingerprint;

    private static string CreatedBy(IncidentAlert alert) => "alert " + alert.Fingerprint;

    private static string Firing(IncidentAlert alert) => $"alert {alert.Name} firing";

    private async Task OnAlertAsync(IncidentAlert alert, CancellationToken cancellationToken)
    {
        var trigger = Trigger(alert);
        if (!alert.IsFiring)
        {
            await overrides.EndTriggerAsync(trigger, $"alert {alert.Fingerprint} resolved", cancellationToken);
            await store.RemovePendingRaisesAsync(trigger, cancellationToken);
            return;
        }

        var createdBy = CreatedBy(alert);
        if (ServiceOf(alert) is { } service)
        {
            await RaiseAsync(service, createdBy, trigger, Firing(alert), cancellationToken);
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
