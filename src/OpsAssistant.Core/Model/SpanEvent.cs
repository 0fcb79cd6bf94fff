namespace OpsAssistant.Core.Model;

/// <summary>A timed event on a span (OTLP event, Jaeger log, Zipkin annotation).</summary>
public sealed record SpanEvent(string Name, long TimeUnixNano, IReadOnlyList<Attribute> Attributes)
{
    /// <summary>True for OpenTelemetry's <c>exception</c> event.</summary>
    public bool IsException => string.Equals(Name, "exception", StringComparison.OrdinalIgnoreCase);
}
