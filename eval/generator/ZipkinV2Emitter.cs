using System.Text.Json;

namespace OpsAssistant.EvalGenerator;

/// <summary>
/// Writes a Zipkin v2 span array. RPC pairs use Zipkin's shared-span model: the server half reuses the client's span ID
/// with <c>"shared": true</c>, and the server's children name that shared ID as their parent. Tags are strings only;
/// an error is the <c>error</c> tag carrying the message; events become annotations.
/// </summary>
internal static class ZipkinV2Emitter
{
    public static byte[] Emit(GenTrace trace) => Json.Write(trace.Spans.Count <= Json.CompactAbove, w =>
    {
        w.WriteStartArray();
        foreach (var span in trace.Spans)
        {
            WriteSpan(w, trace, span);
        }

        w.WriteEndArray();
    });

    /// <summary>The ID a span has on the wire: a shared server half carries its client's ID.</summary>
    private static string WireId(GenSpan span) => span.SharedWithClient ? span.Parent!.SpanId : span.SpanId;

    private static void WriteSpan(Utf8JsonWriter w, GenTrace trace, GenSpan span)
    {
        w.WriteStartObject();
        w.WriteString("traceId", trace.TraceId);
        var parent = span.SharedWithClient ? span.Parent!.Parent : span.Parent;
        if (parent is not null)
        {
            w.WriteString("parentId", WireId(parent));
        }

        w.WriteString("id", WireId(span));
        if (span.Kind != GenSpanKind.Internal)
        {
            w.WriteString("kind", span.Kind.ToString().ToUpperInvariant());
        }

        w.WriteString("name", span.Name);
        w.WriteNumber("timestamp", span.StartUs);
        w.WriteNumber("duration", span.DurationUs);
        w.WriteStartObject("localEndpoint");
        w.WriteString("serviceName", span.Service);
        w.WriteEndObject();
        var peer = span.Attributes.FirstOrDefault(a => a.Key == "peer.service").Value as string;
        if (span.Kind == GenSpanKind.Client && peer is not null)
        {
            w.WriteStartObject("remoteEndpoint");
            w.WriteString("serviceName", peer);
            w.WriteNumber("port", 8080);
            w.WriteEndObject();
        }

        if (span.SharedWithClient)
        {
            w.WriteBoolean("shared", true);
        }

        if (span.Events.Count > 0)
        {
            w.WriteStartArray("annotations");
            foreach (var e in span.Events)
            {
                w.WriteStartObject();
                w.WriteNumber("timestamp", e.TimeUs);
                var message = e.Attributes.FirstOrDefault(a => a.Key == "exception.message").Value;
                w.WriteString("value", message is null ? e.Name : e.Name + ": " + Json.Text(message));
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        w.WriteStartObject("tags");
        foreach (var (key, value) in span.Attributes)
        {
            w.WriteString(key, Json.Text(value));
        }

        if (span.Error)
        {
            w.WriteString("error", span.StatusMessage ?? "true");
        }

        w.WriteEndObject();
        w.WriteEndObject();
    }
}
