using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using OpsAssistant.Core.Analyses;
using OpsAssistant.Core.Sampling;
using OpsAssistant.Core.Sources;
using OpsAssistant.Infrastructure.Analyses;
using OpsAssistant.Infrastructure.Telemetry;
using OpsAssistant.Server.Sampling;
using OpsAssistant.Server.Security;

namespace OpsAssistant.Server.Webhooks;

/// <summary>
/// <c>POST /webhooks/alertmanager</c> and <c>POST /webhooks/grafana</c>: each firing alert that names a trace becomes a
/// queued analysis, which <see cref="AnalysisWorker"/> runs. Senders retry and regroup alerts, so the analysis ID is derived
/// from the alert (fingerprint, start, trace) and a redelivery finds the analysis it already made.
/// </summary>
internal static partial class WebhookEndpoints
{
    public static IEndpointRouteBuilder MapWebhookEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/webhooks").WithTags("Webhooks");
        group.MapPost("/alertmanager", ([AsParameters] WebhookDelivery delivery, CancellationToken cancellationToken) => ReceiveAsync(delivery, AnalysisOrigin.Alertmanager, cancellationToken))
            .WithName("AlertmanagerWebhook").WithSummary("Queue analyses for the firing alerts of an Alertmanager (v4) notification.");
        group.MapPost("/grafana", ([AsParameters] WebhookDelivery delivery, CancellationToken cancellationToken) => ReceiveAsync(delivery, AnalysisOrigin.Grafana, cancellationToken))
            .WithName("GrafanaWebhook").WithSummary("Queue analyses for the firing alerts of a Grafana webhook notification.");
        return endpoints;
    }

    internal static async Task<Results<Accepted<WebhookResponse>, ProblemHttpResult>> ReceiveAsync(
        WebhookDelivery delivery, AnalysisOrigin sender, CancellationToken cancellationToken)
    {
        var context = delivery.Context;
        var origin = sender.Name();
        var security = delivery.Security.CurrentValue;
        var limits = delivery.Limits.Value;
        using var activity = OpsAssistantTelemetry.ActivitySource.StartActivity($"webhook {origin}");

        // A browser may send a cross-origin text/plain or form POST without a preflight; it cannot send application/json.
        if (!Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(context.Request.ContentType, out var mediaType)
            || !mediaType.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase))
        {
            return TypedResults.Problem($"Content-Type '{context.Request.ContentType}' is not supported; alert webhooks send application/json.",
                statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type");
        }

        // With API keys the service is meant to authenticate its callers; the webhooks must not stay the open door.
        if (security.HasKeys && string.IsNullOrEmpty(security.WebhookToken) && string.IsNullOrEmpty(security.WebhookHmacSecret))
        {
            return Unauthorized(context, $"{SecurityOptions.SectionName}:ApiKeys is set, so the webhooks need their own credentials: " +
                $"set {SecurityOptions.SectionName}:WebhookToken or {SecurityOptions.SectionName}:WebhookHmacSecret and send them.");
        }

        if (WebhookAuthenticator.CheckToken(context.Request, security) is { } tokenProblem)
        {
            return Unauthorized(context, tokenProblem);
        }

        var body = await ReadBodyAsync(context.Request, limits.MaxRequestBytes, cancellationToken);
        if (body is null)
        {
            return TypedResults.Problem(
                $"The request body is larger than the limit ({WebhookOptions.SectionName}:MaxRequestBytes) of {limits.MaxRequestBytes} bytes.",
                statusCode: StatusCodes.Status413PayloadTooLarge, title: "Webhook body too large");
        }

        if (WebhookAuthenticator.CheckSignature(context.Request, body, security, delivery.Clock.GetUtcNow(), out var signature) is { } signatureProblem)
        {
            return Unauthorized(context, signatureProblem);
        }

        var replays = delivery.Replays;
        if (signature is not null && !replays.TryClaim(signature, security.WebhookSignatureTolerance))
        {
            return Unauthorized(context, "This signed delivery was already received; a sender signs each delivery anew, with its own timestamp.");
        }

        var result = await ProcessAsync(delivery, origin, body, limits, activity, cancellationToken);
        if (signature is not null && result.Result is not IStatusCodeHttpResult { StatusCode: >= 200 and < 300 })
        {
            // Not taken: the sender's retry of this very request must not look like a replay.
            replays.Forget(signature);
        }

        return result;
    }

    private static async Task<Results<Accepted<WebhookResponse>, ProblemHttpResult>> ProcessAsync(
        WebhookDelivery delivery, string origin, byte[] body, WebhookOptions limits, System.Diagnostics.Activity? activity, CancellationToken cancellationToken)
    {
        IReadOnlyList<WebhookAlert> alerts;
        try
        {
            alerts = AlertPayloadParser.Parse(body);
        }
        catch (AlertPayloadException ex)
        {
            return TypedResults.Problem(ex.Message, statusCode: StatusCodes.Status400BadRequest, title: "Malformed alert payload");
        }

        try
        {
            return await QueueAsync(delivery, origin, alerts, limits, activity, cancellationToken);
        }
        catch (System.Data.Common.DbException ex)
        {
            LogStoreUnavailable(delivery.Logs.CreateLogger(typeof(WebhookEndpoints)), ex, origin, alerts.Count);

            // The delivery's analyses are written in one transaction, and a resolution's writes are idempotent: the sender's
            // retry of the whole delivery finds nothing half done.
            Count(origin, "rejected", alerts.Count);
            delivery.Context.Response.Headers.RetryAfter = "5";
            return TypedResults.Problem("The analysis store is unavailable; retry the delivery.",
                statusCode: StatusCodes.Status503ServiceUnavailable, title: "Store unavailable");
        }
    }

    private static async Task<Results<Accepted<WebhookResponse>, ProblemHttpResult>> QueueAsync(
        WebhookDelivery delivery, string origin, IReadOnlyList<WebhookAlert> alerts, WebhookOptions limits, System.Diagnostics.Activity? activity,
        CancellationToken cancellationToken)
    {
        var sampled = new IncidentAlert[alerts.Count];
        var anyResolved = false;
        for (var i = 0; i < alerts.Count; i++)
        {
            var a = alerts[i];
            sampled[i] = new IncidentAlert(a.Fingerprint, a.Name, a.IsFiring, a.Labels, a.TraceId is null ? null : AnalysisId(a, a.TraceId));
            anyResolved |= !a.IsFiring;
        }

        if (anyResolved)
        {
            // A resolution ends what the alert raised; those writes are not on an alert storm's path.
            await delivery.Incidents.OnAlertsAsync([.. sampled.Where(a => !a.IsFiring)], cancellationToken);
        }

        if (await delivery.Queue.CountPendingAsync(cancellationToken) >= limits.MaxQueuedAnalyses)
        {
            // Sampling still follows the alerts; nothing else of this delivery is taken, so the sender's retry of the whole
            // group loses nothing.
            await delivery.Incidents.OnAlertsAsync([.. sampled.Where(a => a.IsFiring)], cancellationToken);
            Count(origin, "rejected", alerts.Count);
            delivery.Context.Response.Headers.RetryAfter = ((int)Math.Ceiling(limits.QueueFullRetryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            return TypedResults.Problem(
                $"The analysis queue is full ({WebhookOptions.SectionName}:MaxQueuedAnalyses = {limits.MaxQueuedAnalyses}); retry later.",
                statusCode: StatusCodes.Status503ServiceUnavailable, title: "Analysis queue full");
        }

        var records = new List<AnalysisRecord>(alerts.Count);
        var skipped = new List<SkippedAlert>();
        var incidents = new List<Incidents.QueuedIncident>();
        for (var i = 0; i < alerts.Count; i++)
        {
            var alert = alerts[i];
            if (!alert.IsFiring)
            {
                // Recorded on the analysis the firing alert made (same fingerprint, start and trace give the same ID), not analysed.
                await delivery.Queue.MarkResolvedAsync(sampled[i].AnalysisId ?? AnalysisId(alert, null), delivery.Clock.GetUtcNow(), cancellationToken);
                skipped.Add(new SkippedAlert(alert.Name, "resolved"));
                Count(origin, "skipped");
                continue;
            }

            // An alert without a trace ID is keyed without the trace: a redelivery may find a newer worst trace, yet must land
            // on the same analysis.
            var traceId = alert.TraceId;
            var id = sampled[i].AnalysisId ?? AnalysisId(alert, null);
            string? source = null;
            if (traceId is null)
            {
                if (AlertTraceFinder.Service(alert) is not { } service)
                {
                    skipped.Add(new SkippedAlert(alert.Name,
                        "no trace ID: add a 'trace_id' label or annotation, a trace link (…/trace/<id> or traceId=<id>), or a 'service' label to search the store"));
                    Count(origin, "skipped");
                    continue;
                }

                // What changed in the service around the alert, beside the worst trace's analysis below.
                incidents.Add(await delivery.AlertIncidents.QueueAsync(alert.Fingerprint, alert.StartsAt, service, origin,
                    OpsAssistant.Core.Prompting.ControlCharacters.Escape(alert.Name), cancellationToken));
                var around = alert.StartsAt ?? delivery.Clock.GetUtcNow();
                traceId = await AlertTraceFinder.FindAsync(delivery.Traces, alert, service, around, limits.TraceSearchWindow, cancellationToken);
                if (traceId is null)
                {
                    skipped.Add(new SkippedAlert(alert.Name,
                        $"no trace ID, and no trace of service '{service}' in the store within {limits.TraceSearchWindow} of {around:O}"));
                    Count(origin, "skipped");
                    continue;
                }

                source = "store";
            }

            records.Add(new AnalysisRecord
            {
                Id = id, TraceId = traceId, Status = AnalysisStatus.Queued, Origin = origin, Source = source, CreatedAt = delivery.Clock.GetUtcNow(), Subject = OpsAssistant.Core.Prompting.ControlCharacters.Escape(alert.Name),
                TraceParent = (activity ?? System.Diagnostics.Activity.Current)?.Id,
            });
        }

        var intake = await AcceptAsync(delivery, records, delivery.Incidents.PlanFiring(sampled), cancellationToken);
        var queued = new List<QueuedAnalysis>(records.Count);
        for (var i = 0; i < records.Count; i++)
        {
            var record = records[i];
            var inserted = intake.Inserted[i];
            var existing = inserted ? null : await delivery.Analyses.GetAsync(record.Id, cancellationToken);
            Count(origin, inserted ? "queued" : "duplicate");
            queued.Add(new QueuedAnalysis(record.Id, existing?.TraceId ?? record.TraceId, (existing?.Status ?? AnalysisStatus.Queued).ToString().ToLowerInvariant()));
        }

        if (queued.Count > 0)
        {
            delivery.Signal.Notify();
        }

        activity?.SetTag("opsassistant.webhook.alerts", alerts.Count);
        activity?.SetTag("opsassistant.webhook.queued", queued.Count);
        return TypedResults.Accepted((string?)null, new WebhookResponse(queued, skipped, incidents));
    }

    /// <summary>
    /// Queues a delivery's analyses and writes its alerts' sampling raises in one transaction (shared with concurrent
    /// deliveries). Sampling is a side effect: when that write fails, the analyses are queued without it and the failure is
    /// logged; only a failure to queue the analyses themselves fails the delivery.
    /// </summary>
    private static async Task<AlertIntakeResult> AcceptAsync(
        WebhookDelivery delivery, List<AnalysisRecord> records, IReadOnlyList<AlertSamplingWrite> sampling, CancellationToken cancellationToken)
    {
        if (records.Count == 0 && sampling.Count == 0)
        {
            return new AlertIntakeResult([], []);
        }

        AlertIntakeResult result;
        try
        {
            result = await delivery.Intake.AcceptAsync(new AlertIntake(records, sampling), cancellationToken);
        }
        catch (System.Data.Common.DbException ex) when (sampling.Count > 0)
        {
            result = records.Count == 0 ? new AlertIntakeResult([], []) : await delivery.Intake.AcceptAsync(new AlertIntake(records, []), cancellationToken);
            delivery.Incidents.ReportStoreFailure(ex);
            return result;
        }

        delivery.Incidents.Report(sampling, result.Sampling);
        return result;
    }

    /// <summary>Same alert occurrence, same trace: same ID, whichever endpoint or delivery brought it.</summary>
    internal static string AnalysisId(WebhookAlert alert, string? traceId)
    {
        var key = string.Join('\n', alert.Fingerprint, alert.StartsAt?.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture) ?? string.Empty, traceId ?? "search");
        return "alert-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)).AsSpan(0, 16));
    }

    private static void Count(string origin, string outcome, long alerts = 1) => OpsAssistantTelemetry.WebhookAlerts.Add(alerts,
        new KeyValuePair<string, object?>("opsassistant.webhook.origin", origin), new KeyValuePair<string, object?>("opsassistant.outcome", outcome));

    private static ProblemHttpResult Unauthorized(HttpContext context, string detail)
    {
        context.Response.Headers.WWWAuthenticate = "Bearer";
        return TypedResults.Problem(detail, statusCode: StatusCodes.Status401Unauthorized, title: "Webhook credentials required");
    }

    /// <summary>The raw body (the HMAC is over the exact bytes), or null past the limit.</summary>
    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, long limit, CancellationToken cancellationToken)
    {
        if (request.ContentLength > limit)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16384];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                return null;
            }

            await buffer.WriteAsync(chunk.AsMemory(0, read), cancellationToken);
        }

        return buffer.ToArray();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The {Origin} delivery of {Alerts} alerts was refused: the analysis store is unavailable")]
    private static partial void LogStoreUnavailable(ILogger logger, Exception exception, string origin, int alerts);
}

/// <summary>What a webhook delivery is handled with, bound per request by minimal APIs (<c>[AsParameters]</c>).</summary>
internal sealed record WebhookDelivery(
    HttpContext Context,
    IOptionsMonitor<SecurityOptions> Security,
    IOptions<WebhookOptions> Limits,
    TimeProvider Clock,
    WebhookReplayCache Replays,
    IncidentSamplingCoordinator Incidents,
    IAnalysisStore Analyses,
    IAlertIntake Intake,
    IAnalysisQueue Queue,
    ITraceStore Traces,
    AnalysisQueueSignal Signal,
    Incidents.AlertIncidents AlertIncidents,
    ILoggerFactory Logs);
