using System.ComponentModel;
using System.Text.Json;
using OpsAssistant.Infrastructure.Incidents;
using OpsAssistant.Infrastructure.Llm;

namespace OpsAssistant.Infrastructure.Chat;

/// <summary>The chat's incident tool: the comparison <c>POST /api/incidents</c> runs, stored with origin <c>chat</c>.</summary>
public sealed partial class TraceTools
{
    private const int MaxIncidentChanges = 5;

    /// <summary>The incident path; null where incidents are not registered (the tool then says so).</summary>
    public IncidentService? Incidents { get; init; }

    [ChatTool("open_incident")]
    [Description("Opens an incident for a service: compares its traces in a time window with the window of the same length before it and names what changed among slow or failed traces (version, host, region, route, status code, error type), with analysed exemplar traces.")]
    public async Task<string> OpenIncidentAsync(
        [Description("service name as its spans carry it")] string service,
        [Description("window length in minutes, optional (default 15)")] int? minutes = null,
        [Description("end of the window, ISO 8601, optional (default now)")] string? to = null,
        CancellationToken cancellationToken = default)
    {
        if (Incidents is null)
        {
            return Error("incidents are not available here");
        }

        if (string.IsNullOrWhiteSpace(service) || service.Length > Mcp.IncidentMcpTools.MaxServiceLength)
        {
            return Error("service is required");
        }

        if (Incidents.ToolWindow(to, minutes, out var problem) is not { } window)
        {
            return Error(problem!);
        }

        var incident = await Incidents.CreateAsync(service.Trim(), window, "chat", cancellationToken).ConfigureAwait(false);
        return JsonSerializer.Serialize(new
        {
            incident.IncidentId,
            incident.Summary,
            incident.Counts,
            incident.PreviousCounts,
            Changes = incident.Changes.Take(MaxIncidentChanges).Select(c => new { c.Dimension, c.Value, c.AnomalousSupport, c.PreviousSupport, c.Lift }),
            Exemplars = incident.Exemplars.Select(e => new { e.TraceId, e.Role, e.AnalysisId, e.Finding }),
        }, Json);
    }
}
