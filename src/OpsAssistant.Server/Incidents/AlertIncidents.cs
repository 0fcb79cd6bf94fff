using Microsoft.Extensions.Options;
using OpsAssistant.Core.Incidents;
using OpsAssistant.Infrastructure.Incidents;

namespace OpsAssistant.Server.Incidents;

/// <summary>
/// An alert that names a service but no trace becomes an incident over the alert's window: from
/// <c>Incidents:DefaultWindow</c> before the alert started (the condition held for a while before it fired) to the same
/// length after it, or now if sooner. Its ID comes from the alert, so a redelivery finds the incident it already made.
/// </summary>
internal sealed class AlertIncidents(IOptions<IncidentOptions> incidentOptions, TimeProvider clock, IIncidentStore store, IncidentService incidents, IncidentQueueSignal signal)
{
    public async Task<QueuedIncident> QueueAsync(string fingerprint, DateTimeOffset? startsAt, string service, string origin, string subject,
        CancellationToken cancellationToken)
    {
        var options = incidentOptions.Value;
        var now = clock.GetUtcNow();
        var started = startsAt is { } s && s <= now ? s : now;
        var end = started + options.DefaultWindow < now ? started + options.DefaultWindow : now;
        var window = new IncidentTimeRange(started - options.DefaultWindow, end > started ? end : started + TimeSpan.FromSeconds(1));
        var id = IncidentService.AlertIncidentId(fingerprint, startsAt);
        var request = incidents.Request(service, window, origin, subject, id);
        var inserted = await store.TryAddAsync(request, cancellationToken);
        var status = inserted ? request.Status : (await store.GetAsync(id, cancellationToken))?.Status ?? request.Status;
        if (inserted)
        {
            signal.Notify();
        }

        return new QueuedIncident(id, service, status.ToString().ToLowerInvariant(), "/api/incidents/" + id);
    }
}
