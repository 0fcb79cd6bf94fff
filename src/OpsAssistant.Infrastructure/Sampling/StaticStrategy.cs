using System.Text.Json.Serialization;

namespace OpsAssistant.Infrastructure.Sampling;

/// <summary>
/// One entry of Jaeger's sampling-strategies file: a service's (<see cref="Service"/>), an operation's
/// (<see cref="Operation"/>) or the default strategy. Always <c>probabilistic</c> here, with <see cref="Param"/> the rate.
/// </summary>
public sealed record StaticStrategy(
    [property: JsonPropertyName("service"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Service,
    [property: JsonPropertyName("operation"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Operation,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("param")] double Param,
    [property: JsonPropertyName("operation_strategies"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<StaticStrategy>? OperationStrategies);
