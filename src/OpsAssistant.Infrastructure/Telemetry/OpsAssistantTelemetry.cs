using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace OpsAssistant.Infrastructure.Telemetry;

/// <summary>
/// Owns the names of everything OpsAssistant emits: one ActivitySource and one Meter, both named <c>OpsAssistant</c>
/// (DESIGN.md "Telemetry"), so exporters subscribe to a single name.
/// </summary>
public static class OpsAssistantTelemetry
{
    public const string SourceName = "OpsAssistant";

    public static readonly ActivitySource ActivitySource = new(SourceName, typeof(OpsAssistantTelemetry).Assembly.GetName().Version?.ToString());

    public static readonly Meter Meter = new(SourceName, typeof(OpsAssistantTelemetry).Assembly.GetName().Version?.ToString());

    /// <summary>Estimated spend on LLM calls, from the configured price table.</summary>
    public static readonly Counter<double> LlmCost = Meter.CreateCounter<double>(
        "opsassistant.llm.cost", unit: "USD", description: "Estimated cost of LLM calls from the configured price table.");

    /// <summary>Analyses completed, by engine and whether the LLM answer was used.</summary>
    public static readonly Counter<long> Analyses = Meter.CreateCounter<long>(
        "opsassistant.analyses", unit: "{analysis}", description: "Analyses completed, by engine and degraded reason.");
}
