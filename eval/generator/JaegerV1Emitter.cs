using System.Text.Json;

namespace OpsAssistant.EvalGenerator;

/// <summary>
/// Writes the Jaeger query API v1 envelope (<c>{"data":[trace],"errors":null}</c>): microsecond times, typed tags,
/// logs for events, CHILD_OF/FOLLOWS_FROM references, one process per service. Status goes where the Jaeger exporter
/// puts it: <c>error=true</c> plus <c>otel.status_code</c>/<c>otel.status_description</c> tags.
/// </summary>
internal static class JaegerV1Emitter
{
    public static byte[] Emit(GenTrace trace)
    {
        var processIds = trace.Services.Select((s, i) => (s, "p" + (i + 1))).ToDictionary(x => x.s, x => x.Item2, StringComparer.Ordinal);
        return Json.Write(trace.Spans.Count <= Json.CompactAbove, w =>
        {
            w.WriteStartObject();
            w.WriteStartArray("data");
            w.WriteStartObject();
            w.WriteString("traceID", trace.TraceId);
            w.WriteStartArray("spans");
            foreach (var span in trace.Spans)
            {
                WriteSpan(w, trace, span, processIds[span.Service]);
            }

            w.WriteEndArray();
            w.WriteStartObject("processes");
            foreach (var service in trace.Services)
            {
                w.WriteStartObject(processIds[service]);
                w.WriteString("serviceName", service);
                WriteTags(w, "tags", trace.Resources[service].Where(a => a.Key != "service.name"));
                w.WriteEndObject();
            }

            w.WriteEndObject();
            w.WriteNull("warnings");
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteNumber("total", 0);
            w.WriteNumber("limit", 0);
            w.WriteNumber("offset", 0);
            w.WriteNull("errors");
            w.WriteEndObject();
        });
    }

    private static void WriteSpan(Utf8JsonWriter w, GenTrace trace, GenSpan span, string processId)
    {
        w.WriteStartObject();
        w.WriteString("traceID", trace.TraceId);
        w.WriteString("spanID", span.SpanId);
        w.WriteNumber("flags", 1);
        w.WriteString("operationName", span.Name);
        w.WriteStartArray("references");
        if (span.Parent is not null)
        {
            w.WriteStartObject();
            w.WriteString("refType", span.FollowsFrom ? "FOLLOWS_FROM" : "CHILD_OF");
            w.WriteString("traceID", trace.TraceId);
            w.WriteString("spanID", span.Parent.SpanId);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteNumber("startTime", span.StartUs);
        w.WriteNumber("duration", span.DurationUs);
        var tags = new List<KeyValuePair<string, object>>(span.Attributes);
        if (span.Kind != GenSpanKind.Internal)
        {
            tags.Add(new("span.kind", span.Kind.ToString().ToLowerInvariant()));
        }

        if (span.Error)
        {
            tags.Add(new("error", true));
            tags.Add(new("otel.status_code", "ERROR"));
        }
        else if (span.Ok)
        {
            tags.Add(new("otel.status_code", "OK"));
        }

        if (span.StatusMessage is not null)
        {
            tags.Add(new("otel.status_description", span.StatusMessage));
        }

        WriteTags(w, "tags", tags);
        w.WriteStartArray("logs");
        foreach (var e in span.Events)
        {
            w.WriteStartObject();
            w.WriteNumber("timestamp", e.TimeUs);
            WriteTags(w, "fields", e.Attributes.Prepend(new("event", e.Name)));
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteString("processID", processId);
        w.WriteNull("warnings");
        w.WriteEndObject();
    }

    private static void WriteTags(Utf8JsonWriter w, string name, IEnumerable<KeyValuePair<string, object>> tags)
    {
        w.WriteStartArray(name);
        foreach (var (key, value) in tags)
        {
            w.WriteStartObject();
            w.WriteString("key", key);
            switch (value)
            {
                case bool b:
                    w.WriteString("type", "bool");
                    w.WriteBoolean("value", b);
                    break;
                case long l:
                    w.WriteString("type", "int64");
                    w.WriteNumber("value", l);
                    break;
                case double d:
                    w.WriteString("type", "float64");
                    w.WriteNumber("value", d);
                    break;
                default:
                    w.WriteString("type", "string");
                    w.WriteString("value", Json.Text(value));
                    break;
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
    }
}
