using System.Text.Json.Serialization;

namespace OpsAssistant.Infrastructure.Sampling;

/// <summary>
/// The Jaeger remote-sampling answer for one service, in the JSON form of <c>jaeger.api_v2.SamplingStrategyResponse</c>.
/// </summary>
/// <remarks>
/// Wire shape checked against the protocol's definition (jaeger-idl <c>proto/api_v2/sampling.proto</c>: enum
/// <c>SamplingStrategyType { PROBABILISTIC = 0; RATE_LIMITING = 1; }</c>, messages <c>ProbabilisticSamplingStrategy
/// { double samplingRate }</c>, <c>OperationSamplingStrategy { string operation; ProbabilisticSamplingStrategy
/// probabilisticSampling }</c>, <c>PerOperationSamplingStrategies { double defaultSamplingProbability; double
/// defaultLowerBoundTracesPerSecond; repeated OperationSamplingStrategy perOperationStrategies; double
/// defaultUpperBoundTracesPerSecond }</c>) and against the clients that read it: the OpenTelemetry Java and Kotlin remote
/// samplers name the same camelCase fields and decode <c>strategyType</c> as the enum's name (<c>"PROBABILISTIC"</c>), as
/// proto3 JSON mapping (and so Jaeger's collector, which marshals the proto with jsonpb, and the Collector's
/// jaegerremotesampling extension) writes enums. Old Thrift-era Jaeger clients also accept a numeric 0 there; the name is
/// what every current reader parses, so it is what is sent. <c>rateLimitingSampling</c> is omitted: strategies here are
/// always probabilistic.
/// </remarks>
public sealed record SamplingStrategyResponse(
    [property: JsonPropertyName("strategyType")] string StrategyType,
    [property: JsonPropertyName("probabilisticSampling")] ProbabilisticSamplingStrategy ProbabilisticSampling,
    [property: JsonPropertyName("operationSampling")] PerOperationSamplingStrategies OperationSampling)
{
    public const string Probabilistic = "PROBABILISTIC";
}
