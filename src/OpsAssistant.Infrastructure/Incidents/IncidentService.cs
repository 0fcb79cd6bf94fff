using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpsAssistant.Core.Analyses;
using OpsAssistant.Core.Engine;
using OpsAssistant.Core.Incidents;
using OpsAssistant.Core.Prompting;
using OpsAssistant.Core.Sources;
using OpsAssistant.Infrastructure.Telemetry;

namespace OpsAssistant.Infrastructure.Incidents;

/// <summary>
/// Runs incidents: reads the service's traces of the alert window and of the window before from the store, compares them
/// (<see cref="IncidentComparer"/>), analyses the exemplars with the registered engine (stored as analyses with origin
/// <c>incident</c>) and returns the incident result. Shared by <c>POST /api/incidents</c>, the alert worker, the chat and MCP.
/// </summary>
public sealed partial class IncidentService(
    IIncidentWindowReader windows,
    ITraceStore traces,
    IRootCauseEngine engine,
    IAnalysisStore analyses,
    IIncidentStore incidents,
    IOptions<IncidentOptions> options,
    SecretRedactor redactor,
    TimeProvider time,
    ILogger<IncidentService> logger)
{
    public const string AnalysisOrigin = "incident";

    /// <summary>A new incident of <paramref name="service"/> over <paramref name="window"/>, not yet run.</summary>
    public IncidentResult Request(string service, IncidentTimeRange window, string origin, string? subject = null, string? id = null)
    {
        ArgumentNullException.ThrowIfNull(window);
        return new IncidentResult
        {
            IncidentId = id ?? "inc-" + Guid.NewGuid().ToString("n"),
            Status = IncidentStatus.Queued,
            Origin = origin,
            Subject = subject,
            Service = service,
            Window = window,
            PreviousWindow = window.Before(),
            CreatedAt = time.GetUtcNow(),
        };
    }

    /// <summary>
    /// The window the chat and MCP tools ask for: <paramref name="minutes"/> long (default <c>Incidents:DefaultWindow</c>)
    /// ending at <paramref name="to"/> (ISO 8601; default now). Null with the reason when the arguments do not make one.
    /// </summary>
    public IncidentTimeRange? ToolWindow(string? to, int? minutes, out string? error)
    {
        var now = time.GetUtcNow();
        var length = minutes is { } m ? TimeSpan.FromMinutes(m) : options.Value.DefaultWindow;
        if (length <= TimeSpan.Zero || length > options.Value.MaxWindow)
        {
            error = $"minutes must be between 1 and {(int)options.Value.MaxWindow.TotalMinutes} ({IncidentOptions.SectionName}:MaxWindow).";
            return null;
        }

        var end = now;
        if (!string.IsNullOrWhiteSpace(to) && !DateTimeOffset.TryParse(to, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out end))
        {
            error = "to must be an ISO 8601 date and time, e.g. 2026-12-05T10:15:00Z.";
            return null;
        }

        if (end - length >= now)
        {
            error = "the window must start in the past.";
            return null;
        }

        error = null;
        return new IncidentTimeRange(end - length, end);
    }

    /// <summary>Runs an incident now, stores it done and returns it (<c>POST /api/incidents</c>, chat, MCP).</summary>
    public async Task<IncidentResult> CreateAsync(string service, IncidentTimeRange window, string origin, CancellationToken cancellationToken = default)
    {
        var result = await RunAsync(Request(service, window, origin), cancellationToken).ConfigureAwait(false);
        await incidents.SaveAsync(result, cancellationToken).ConfigureAwait(false);
        return result;
    }

    /// <summary>Runs the comparison and the exemplar analyses of <paramref name="request"/>; returns it done. Stores nothing but the analyses.</summary>
    public async Task<IncidentResult> RunAsync(IncidentResult request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var activity = OpsAssistantTelemetry.ActivitySource.StartActivity("incident");
        activity?.SetTag("opsassistant.incident_id", request.IncidentId);
        activity?.SetTag("opsassistant.service", request.Service);
        var started = Stopwatch.GetTimestamp();
        var limit = options.Value.MaxTracesPerWindow;
        var previous = await windows.ReadAsync(request.Service, request.PreviousWindow, limit, cancellationToken).ConfigureAwait(false);
        var alert = await windows.ReadAsync(request.Service, request.Window, limit, cancellationToken).ConfigureAwait(false);
        var comparison = IncidentComparer.Compare(previous.Traces, alert.Traces, IncidentComparisonOptions.Default with { MaxExemplars = options.Value.Exemplars });
        activity?.SetTag("opsassistant.incident.traces", alert.Traces.Count + previous.Traces.Count);
        activity?.SetTag("opsassistant.incident.changes", comparison.Changes.Count);

        var exemplars = await Task.WhenAll(comparison.Exemplars.Select(e => AnalyzeAsync(request, e, cancellationToken))).ConfigureAwait(false);
        LogCompared(logger, request.IncidentId, request.Service, alert.Traces.Count, previous.Traces.Count, comparison.Changes.Count);
        return request with
        {
            Status = IncidentStatus.Done,
            Counts = comparison.Alert,
            PreviousCounts = comparison.Previous,
            Sampled = alert.Sampled || previous.Sampled,
            // Dimension values and the summary quote trace content, which may hold secrets; analyses are redacted already.
            Changes = comparison.Changes.Select(c => c with { Value = redactor.Redact(c.Value), AlsoMatches = c.AlsoMatches.Select(redactor.Redact).ToList() }).ToList(),
            Exemplars = exemplars.Select(e => e with { Operation = redactor.Redact(e.Operation) }).ToList(),
            Summary = redactor.Redact(comparison.Summary),
            CompletedAt = time.GetUtcNow(),
            ElapsedMs = Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds, 1),
            Error = null,
        };
    }

    /// <summary>The ID of an incident made for an alert occurrence: a redelivery of the same alert finds the same incident.</summary>
    public static string AlertIncidentId(string fingerprint, DateTimeOffset? startsAt)
    {
        var key = string.Join('\n', fingerprint, startsAt?.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture) ?? string.Empty, "incident");
        return "inc-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)).AsSpan(0, 16));
    }

    private async Task<IncidentExemplarAnalysis> AnalyzeAsync(IncidentResult request, IncidentExemplar exemplar, CancellationToken cancellationToken)
    {
        var shown = new IncidentExemplarAnalysis(exemplar);
        if (exemplar.Role != IncidentExemplar.ExemplarRole)
        {
            return shown;
        }

        try
        {
            var trace = await traces.GetTraceAsync(exemplar.TraceId, cancellationToken).ConfigureAwait(false);
            if (trace is null)
            {
                return shown with { Error = "the trace is no longer in the store" };
            }

            var result = await engine.AnalyzeAsync(trace, cancellationToken).ConfigureAwait(false);
            var completed = time.GetUtcNow();
            await analyses.SaveAsync(new AnalysisRecord
            {
                Id = result.AnalysisId,
                TraceId = result.TraceId,
                Status = AnalysisStatus.Done,
                Origin = AnalysisOrigin,
                Source = "store",
                Subject = $"incident {request.IncidentId} ({request.Service})",
                CreatedAt = completed,
                CompletedAt = completed,
                Result = result,
            }, cancellationToken).ConfigureAwait(false);
            return shown with
            {
                AnalysisId = result.AnalysisId,
                AnalysisLink = "/api/analyses/" + result.AnalysisId,
                Finding = result.Hypotheses.Count > 0 ? result.Hypotheses[0].Title : null,
            };
        }
        catch (TraceSourceException ex)
        {
            LogExemplarFailed(logger, ex, request.IncidentId, exemplar.TraceId);
            return shown with { Error = "the trace could not be read: " + ex.Message };
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Incident {IncidentId} of {Service}: {AlertTraces} traces against {PreviousTraces} before, {Changes} changed dimensions")]
    private static partial void LogCompared(ILogger logger, string incidentId, string service, int alertTraces, int previousTraces, int changes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Incident {IncidentId}: exemplar trace {TraceId} could not be analysed")]
    private static partial void LogExemplarFailed(ILogger logger, Exception exception, string incidentId, string traceId);
}
