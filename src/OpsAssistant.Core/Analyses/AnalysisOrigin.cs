namespace OpsAssistant.Core.Analyses;

/// <summary>Who asked for an analysis. Stored and returned as its <see cref="AnalysisOrigins.Name"/> (<c>api</c>, <c>chat</c>, ...).</summary>
public enum AnalysisOrigin
{
    /// <summary><c>POST /api/analyses</c>.</summary>
    Api,

    /// <summary>A chat turn or one of the chat's tools.</summary>
    Chat,

    /// <summary>The MCP tool <c>analyze_trace</c>, over <c>/mcp</c> or <c>opsassistant mcp</c>.</summary>
    Mcp,

    /// <summary>An Alertmanager webhook, analysed by the queue worker.</summary>
    Alertmanager,

    /// <summary>A Grafana webhook, analysed by the queue worker.</summary>
    Grafana,

    /// <summary><c>opsassistant analyze &lt;trace-id&gt;</c>; not stored.</summary>
    Cli,
}

/// <summary>The wire and database names of <see cref="AnalysisOrigin"/>: these strings are part of the result contract.</summary>
public static class AnalysisOrigins
{
    public const string Api = "api";
    public const string Chat = "chat";
    public const string Mcp = "mcp";
    public const string Alertmanager = "alertmanager";
    public const string Grafana = "grafana";
    public const string Cli = "cli";

    public static string Name(this AnalysisOrigin origin) => origin switch
    {
        AnalysisOrigin.Api => Api,
        AnalysisOrigin.Chat => Chat,
        AnalysisOrigin.Mcp => Mcp,
        AnalysisOrigin.Alertmanager => Alertmanager,
        AnalysisOrigin.Grafana => Grafana,
        AnalysisOrigin.Cli => Cli,
        _ => throw new ArgumentOutOfRangeException(nameof(origin), origin, "Unknown analysis origin."),
    };

    /// <summary>The origin a stored name stands for, or null for a name this version does not know.</summary>
    public static AnalysisOrigin? Parse(string? name) => name switch
    {
        Api => AnalysisOrigin.Api,
        Chat => AnalysisOrigin.Chat,
        Mcp => AnalysisOrigin.Mcp,
        Alertmanager => AnalysisOrigin.Alertmanager,
        Grafana => AnalysisOrigin.Grafana,
        Cli => AnalysisOrigin.Cli,
        _ => null,
    };

    /// <summary>True for the origins whose analyses are queued from an alert and announced by notifications.</summary>
    public static bool IsAlert(string? origin) => origin is Alertmanager or Grafana;
}
