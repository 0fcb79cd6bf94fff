namespace OpsAssistant.Core.Model;

/// <summary>OpenTelemetry status code. Jaeger's <c>error=true</c> tag and Zipkin's <c>error</c> tag map to <see cref="Error"/>.</summary>
public enum SpanStatusCode
{
    Unset = 0,
    Ok = 1,
    Error = 2,
}
