using System.Diagnostics;
using System.Diagnostics.Metrics;
using OpenTelemetry.Resources;

namespace OpsAssistant.Infrastructure.Telemetry;

/// <summary>
/// Owns the names of everything OpsAssistant emits: one ActivitySource and one Meter, both named <c>OpsAssistant</c>
/// (docs/architecture.md, "Telemetry"), so exporters subscribe to a single name.
/// </summary>
public static class OpsAssistantTelemetry
{
    public const string SourceName = "OpsAssistant";

    /// <summary>The service name exported by the service when <c>OTEL_SERVICE_NAME</c> does not say otherwise.</summary>
    public const string ServiceName = "opsassistant";

    /// <summary>The service name exported by the CLI when <c>OTEL_SERVICE_NAME</c> does not say otherwise.</summary>
    public const string CliServiceName = "opsassistant-cli";

    /// <summary>
    /// The exported resource: our name as a default, then the standard variables (<c>OTEL_SERVICE_NAME</c>,
    /// <c>OTEL_RESOURCE_ATTRIBUTES</c>) on top, so an operator's deployment settings win over the built-in name.
    /// The order matters: a resource builder keeps the last value of each attribute.
    /// </summary>
    public static ResourceBuilder ConfigureResource(ResourceBuilder resource, string defaultServiceName) =>
        resource
            .AddService(defaultServiceName, serviceVersion: typeof(OpsAssistantTelemetry).Assembly.GetName().Version?.ToString())
            .AddEnvironmentVariableDetector();

    public static readonly ActivitySource ActivitySource = new(SourceName, typeof(OpsAssistantTelemetry).Assembly.GetName().Version?.ToString());

    public static readonly Meter Meter = new(SourceName, typeof(OpsAssistantTelemetry).Assembly.GetName().Version?.ToString());

    /// <summary>Estimated spend on LLM calls, from the configured price table.</summary>
    public static readonly Counter<double> LlmCost = Meter.CreateCounter<double>(
        "opsassistant.llm.cost", unit: "USD", description: "Estimated cost of LLM calls from the configured price table.");

    /// <summary>Analyses completed, by engine and whether the LLM answer was used.</summary>
    public static readonly Counter<long> Analyses = Meter.CreateCounter<long>(
        "opsassistant.analyses", unit: "{analysis}", description: "Analyses completed, by engine and degraded reason.");

    /// <summary>Spans accepted by OTLP ingest, by <c>opsassistant.ingest.encoding</c> (protobuf|json over HTTP, grpc).</summary>
    public static readonly Counter<long> IngestedSpans = Meter.CreateCounter<long>(
        "opsassistant.ingest.spans", unit: "{span}", description: "Spans accepted by OTLP ingest (HTTP and gRPC).");

    /// <summary>Rejected ingest requests, by <c>error.type</c>.</summary>
    public static readonly Counter<long> IngestRejections = Meter.CreateCounter<long>(
        "opsassistant.ingest.rejected", unit: "{request}", description: "OTLP ingest requests rejected (HTTP and gRPC).");

    /// <summary>Trace fetches from a source, by <c>opsassistant.source</c> and <c>opsassistant.outcome</c> (found|not_found|error).</summary>
    public static readonly Counter<long> TraceFetches = Meter.CreateCounter<long>(
        "opsassistant.source.fetches", unit: "{request}", description: "Trace fetches from a trace source.");

    /// <summary>Traces read from the embedded store, by <c>opsassistant.outcome</c> (loaded|cached: reused unchanged from an earlier read).</summary>
    public static readonly Counter<long> StoredTraceReads = Meter.CreateCounter<long>(
        "opsassistant.store.trace_reads", unit: "{trace}", description: "Traces read from the embedded store, loaded or reused unchanged.");

    /// <summary>Alerts received by the webhooks, by <c>opsassistant.webhook.origin</c> and <c>opsassistant.outcome</c> (queued|duplicate|skipped|rejected).</summary>
    public static readonly Counter<long> WebhookAlerts = Meter.CreateCounter<long>(
        "opsassistant.webhook.alerts", unit: "{alert}", description: "Alerts received by the alert webhooks, by outcome.");

    /// <summary>Queued analyses finished, by <c>opsassistant.outcome</c> (done|failed).</summary>
    public static readonly Counter<long> QueuedAnalyses = Meter.CreateCounter<long>(
        "opsassistant.queue.completed", unit: "{analysis}", description: "Queued (alert) analyses finished, by outcome.");

    /// <summary>Notification deliveries, by <c>opsassistant.outcome</c> (sent|retry|failed).</summary>
    public static readonly Counter<long> Notifications = Meter.CreateCounter<long>(
        "opsassistant.notifications", unit: "{notification}", description: "Analysis notifications delivered or given up.");

    /// <summary>
    /// Sampling override changes, by <c>opsassistant.sampling.change</c> (created|ended|rejected) and
    /// <c>opsassistant.sampling.cause</c> (operator|alert|chat).
    /// </summary>
    public static readonly Counter<long> SamplingOverrideChanges = Meter.CreateCounter<long>(
        "opsassistant.sampling.override_changes", unit: "{change}", description: "Sampling overrides created, ended or refused.");
}
