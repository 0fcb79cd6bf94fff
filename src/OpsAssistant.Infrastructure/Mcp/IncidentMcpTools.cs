using System.ComponentModel;
using System.Text.Json;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using OpsAssistant.Core.Results;
using OpsAssistant.Infrastructure.Incidents;

namespace OpsAssistant.Infrastructure.Mcp;

/// <summary>
/// The MCP tool that opens an incident: the comparison <c>POST /api/incidents</c> runs, stored with origin <c>mcp</c>. Bad
/// arguments are a tool error saying which, never an exception.
/// </summary>
[McpServerToolType]
public sealed class IncidentMcpTools(IncidentService incidents)
{
    public const int MaxServiceLength = 256;

    [McpServerTool(Name = "open_incident", Title = "Open an incident for a service", ReadOnly = false, Destructive = false, Idempotent = false, OpenWorld = false)]
    [Description("Compares a service's traces in a time window with the window of the same length before it: which operations, versions, hosts, regions, routes, status codes and error types are over-represented among slow or failed traces (support and lift), with exemplar traces analysed. Returns the incident result JSON: changes, exemplar trace IDs with their analysis IDs, and a one-line summary.")]
    public async Task<CallToolResult> OpenIncidentAsync(
        [Description("the service name as its spans carry it (service.name)")] string service,
        [Description("window length in minutes; omitted: the configured default (15)")] int? minutes = null,
        [Description("end of the window, ISO 8601 (e.g. 2026-12-05T10:15:00Z); omitted: now")] string? to = null,
        CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(service) || service.Length > MaxServiceLength || service.Any(char.IsControl))
        {
            return Failure($"service is required: the service name, at most {MaxServiceLength} characters.");
        }

        if (incidents.ToolWindow(to, minutes, out var error) is not { } window)
        {
            return Failure(error!);
        }

        var result = await incidents.CreateAsync(service.Trim(), window, "mcp", cancellationToken).ConfigureAwait(false);
        return new CallToolResult { Content = [new TextContentBlock { Text = JsonSerializer.Serialize(result, ResultJson.Options) }] };
    }

    private static CallToolResult Failure(string message) => new() { IsError = true, Content = [new TextContentBlock { Text = message }] };
}
