namespace OpsAssistant.Core.Model;

/// <summary>OpenTelemetry span kind; Jaeger and Zipkin kinds map onto it.</summary>
public enum SpanKind
{
    Unspecified = 0,
    Internal = 1,
    Server = 2,
    Client = 3,
    Producer = 4,
    Consumer = 5,
}
