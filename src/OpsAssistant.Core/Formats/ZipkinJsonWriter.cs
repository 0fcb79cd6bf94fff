using System.Text.Json;
using OpsAssistant.Core.Model;

namespace OpsAssistant.Core.Formats;

/// <summary>
/// Writes spans as a Zipkin v2 JSON array, the way the OpenTelemetry Zipkin exporter maps them: microsecond times, the
/// resource's service as <c>localEndpoint</c>, <c>peer.service</c> as <c>remoteEndpoint</c>, kind only for
/// CLIENT/SERVER/PRODUCER/CONSUMER, every attribute as a string tag, status as <c>otel.status_code</c> plus an <c>error</c>
/// tag holding the message, events as annotations named after the event. Zipkin has no place for resource attributes,
/// event attributes or links, so those are not written.
/// </summary>
public static class ZipkinJsonWriter
{
    public static byte[] ToUtf8Bytes(IEnumerable<Span> spans)
    {
        ArgumentNullException.ThrowIfNull(spans);
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartArray();
            foreach (var span in spans)
            {
                WriteSpan(w, span);
            }

            w.WriteEndArray();
        }

        return buffer.ToArray();
    }

    private static void WriteSpan(Utf8JsonWriter w, Span span)
    {
        w.WriteStartObject();
        w.WriteString("traceId", span.TraceId);
        if (span.ParentSpanId is { } parent)
        {
            w.WriteString("parentId", parent);
        }

        w.WriteString("id", span.SpanId);
        if (span.Kind is SpanKind.Client or SpanKind.Server or SpanKind.Producer or SpanKind.Consumer)
        {
            w.WriteString("kind", span.Kind.ToString().ToUpperInvariant());
        }

        w.WriteString("name", span.Name);
        w.WriteNumber("timestamp", span.StartUnixNano / 1000);
        w.WriteNumber("duration", span.DurationNano / 1000);
        w.WriteStartObject("localEndpoint");
        w.WriteString("serviceName", span.ServiceName);
        w.WriteEndObject();
        if (span.GetAttribute("peer.service") is string peer)
        {
            w.WriteStartObject("remoteEndpoint");
            w.WriteString("serviceName", peer);
            w.WriteEndObject();
        }

        if (span.Events.Count > 0)
        {
            w.WriteStartArray("annotations");
            foreach (var e in span.Events)
            {
                w.WriteStartObject();
                w.WriteNumber("timestamp", e.TimeUnixNano / 1000);
                w.WriteString("value", e.Name);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        w.WriteStartObject("tags");
        foreach (var a in span.Attributes)
        {
            if (a.Key is not ("error" or "otel.status_code"))
            {
                w.WriteString(a.Key, AttributeValues.Format(a.Value));
            }
        }

        if (span.Status != SpanStatusCode.Unset)
        {
            w.WriteString("otel.status_code", span.Status == SpanStatusCode.Error ? "ERROR" : "OK");
        }

        if (span.Status == SpanStatusCode.Error)
        {
            w.WriteString("error", span.StatusMessage ?? "");
        }

        w.WriteEndObject();
        w.WriteEndObject();
    }
}
