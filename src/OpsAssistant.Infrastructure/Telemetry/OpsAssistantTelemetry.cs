using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace OpsAssistant.Infrastructure.Telemetry;

/// <summary>
/// The one owner of the service's ActivitySource and Meter (both named <see cref="Name"/>), and of the instruments the
/// infrastructure records. Everything else starts spans and records metrics through here so the names cannot drift.
/// </summary>
public static class OpsAssistantTelemetry
{
    public const string Name = "OpsAssistant";

    public static readonly ActivitySource ActivitySource = new(Name);

    public static readonly Meter Meter = new(Name);

    /// <summary>Spans accepted by OTLP ingest, by <c>opsassistant.ingest.encoding</c> (protobuf|json).</summary>
    public static readonly Counter<long> IngestedSpans =
        Meter.CreateCounter<long>("opsassistant.ingest.spans", "{span}", "Spans accepted by OTLP/HTTP ingest.");

    /// <summary>Rejected ingest requests, by <c>error.type</c>.</summary>
    public static readonly Counter<long> IngestRejections =
        Meter.CreateCounter<long>("opsassistant.ingest.rejected", "{request}", "OTLP/HTTP ingest requests rejected.");

    /// <summary>Trace fetches from a source, by <c>opsassistant.source</c> and <c>opsassistant.outcome</c> (found|not_found|error).</summary>
    public static readonly Counter<long> TraceFetches =
        Meter.CreateCounter<long>("opsassistant.source.fetches", "{request}", "Trace fetches from a trace source.");
}
