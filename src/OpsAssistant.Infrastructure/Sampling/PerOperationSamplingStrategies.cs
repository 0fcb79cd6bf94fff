using System.Text.Json.Serialization;

namespace OpsAssistant.Infrastructure.Sampling;

/// <summary>The per-operation part of a strategy: a default probability, a lower bound, and the listed operations' own rates.</summary>
public sealed record PerOperationSamplingStrategies(
    [property: JsonPropertyName("defaultSamplingProbability")] double DefaultSamplingProbability,
    [property: JsonPropertyName("defaultLowerBoundTracesPerSecond")] double DefaultLowerBoundTracesPerSecond,
    [property: JsonPropertyName("perOperationStrategies")] IReadOnlyList<OperationSamplingStrategy> PerOperationStrategies);
