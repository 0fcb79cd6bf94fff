using System.Text.Json.Serialization;

namespace OpsAssistant.Infrastructure.Sampling;

/// <summary><c>{"samplingRate": 0.01}</c>: sample that fraction of new traces, decided from the trace ID.</summary>
public sealed record ProbabilisticSamplingStrategy([property: JsonPropertyName("samplingRate")] double SamplingRate);
