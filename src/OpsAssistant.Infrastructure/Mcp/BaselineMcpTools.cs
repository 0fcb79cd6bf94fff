using System.ComponentModel;
using System.Text.Json;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using OpsAssistant.Infrastructure.Baselines;

namespace OpsAssistant.Infrastructure.Mcp;

/// <summary>
/// The MCP baseline tool, served at <c>/mcp</c> by the host that keeps baselines (the stdio server of the CLI keeps none):
/// what <c>GET /api/baselines</c> answers. A bad name is a tool error naming the argument, never an exception.
/// </summary>
[McpServerToolType]
public sealed class BaselineMcpTools(BaselineCatalog catalog)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [McpServerTool(Name = "get_baselines", Title = "Get baselines", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = false)]
    [Description("What normal looks like for a service's operations over the baseline window (24 h by default): p50, p90 and p99 latency in ms, error rate and call count per operation and span kind. Give 'at' (a trace's start time) to see the window that trace is judged against: the history before it.")]
    public async Task<CallToolResult> GetBaselinesAsync(
        [Description("service name")] string service, [Description("operation name, optional: all of the service's when omitted")] string? operation = null,
        [Description("ISO 8601 instant, optional: the baselines as of then (a trace's start); now when omitted")] string? at = null,
        CancellationToken cancellationToken = default)
    {
        var lookup = await catalog.LookupAsync(service, operation, at, cancellationToken).ConfigureAwait(false);
        return lookup.Answer is { } answer
            ? new CallToolResult { Content = [new TextContentBlock { Text = JsonSerializer.Serialize(answer, Json) }] }
            : new CallToolResult { IsError = true, Content = [new TextContentBlock { Text = $"{lookup.Field}: {lookup.Message}" }] };
    }
}
