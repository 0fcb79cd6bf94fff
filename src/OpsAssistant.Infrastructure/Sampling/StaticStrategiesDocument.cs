using System.Text.Json.Serialization;

namespace OpsAssistant.Infrastructure.Sampling;

/// <summary>
/// Every strategy at once in the format of Jaeger's sampling-strategies file (<c>service_strategies</c>,
/// <c>default_strategy</c>), which the OpenTelemetry Collector's jaegerremotesampling extension can load from an http(s)
/// URL (<c>source.file</c> with <c>reload_interval</c>) and serve to SDKs itself: its <c>source.remote</c> speaks only
/// Jaeger's gRPC, not this service's HTTP strategy endpoint.
/// </summary>
public sealed record StaticStrategiesDocument(
    [property: JsonPropertyName("service_strategies")] IReadOnlyList<StaticStrategy> ServiceStrategies,
    [property: JsonPropertyName("default_strategy")] StaticStrategy DefaultStrategy);
