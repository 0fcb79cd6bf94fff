namespace OpsAssistant.Core.Model;

/// <summary>A link to another span (OTLP link, or a Jaeger reference other than the parent).</summary>
public sealed record SpanLink(string TraceId, string SpanId, IReadOnlyList<Attribute> Attributes, string? Kind = null);
