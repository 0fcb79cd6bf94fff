using System.Text.Json.Serialization;

namespace OpsAssistant.Infrastructure.Sampling;

/// <summary>One operation (root span name) and its probability.</summary>
public sealed record OperationSamplingStrategy(
    [property: JsonPropertyName("operation")] string Operation,
    [property: JsonPropertyName("probabilisticSampling")] ProbabilisticSamplingStrategy ProbabilisticSampling);
