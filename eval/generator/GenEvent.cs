namespace OpsAssistant.EvalGenerator;

/// <summary>A span event (OTLP event, Jaeger log, Zipkin annotation) at an absolute time in microseconds.</summary>
internal sealed record GenEvent(string Name, long TimeUs, IReadOnlyList<KeyValuePair<string, object>> Attributes);
