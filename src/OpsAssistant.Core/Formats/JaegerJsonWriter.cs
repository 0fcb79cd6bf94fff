using System.Globalization;
using System.Text.Json;
using OpsAssistant.Core.Model;
using Attribute = OpsAssistant.Core.Model.Attribute;

namespace OpsAssistant.Core.Formats;

/// <summary>
/// Writes one trace as the Jaeger query API v1 answer (<c>{"data":[{"traceID","spans","processes"}]}</c>): microsecond
/// times, typed tags, logs for events, a CHILD_OF (or FOLLOWS_FROM) reference to the parent and FOLLOWS_FROM references for
/// links, one process per resource. Kind and status go where the OpenTelemetry Jaeger exporter put them: <c>span.kind</c>,
/// <c>error=true</c>, <c>otel.status_code</c> and <c>otel.status_description</c> tags.
/// </summary>
public static class JaegerJsonWriter
{
    public static byte[] ToUtf8Bytes(Trace trace)
    {
        ArgumentNullException.ThrowIfNull(trace);
        var processes = new Dictionary<Resource, string>();
        foreach (var span in trace.Spans)
        {
            if (!processes.ContainsKey(span.Resource))
            {
                processes[span.Resource] = "p" + (processes.Count + 1).ToString(CultureInfo.InvariantCulture);
            }
        }

        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteStartArray("data");
            w.WriteStartObject();
            w.WriteString("traceID", trace.TraceId);
            w.WriteStartArray("spans");
            foreach (var span in trace.Spans)
            {
                WriteSpan(w, span, processes[span.Resource]);
            }

            w.WriteEndArray();
            w.WriteStartObject("processes");
            foreach (var (resource, id) in processes)
            {
                w.WriteStartObject(id);
                w.WriteString("serviceName", resource.ServiceName);
                WriteTags(w, "tags", resource.Attributes.Where(a => a.Key != "service.name"));
                w.WriteEndObject();
            }

            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteNull("errors");
            w.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static void WriteSpan(Utf8JsonWriter w, Span span, string processId)
    {
        w.WriteStartObject();
        w.WriteString("traceID", span.TraceId);
        w.WriteString("spanID", span.SpanId);
        w.WriteString("operationName", span.Name);
        w.WriteStartArray("references");
        if (span.ParentSpanId is { } parent)
        {
            Reference(w, span.ParentIsFollowsFrom ? "FOLLOWS_FROM" : "CHILD_OF", span.TraceId, parent);
        }

        foreach (var link in span.Links)
        {
            Reference(w, "FOLLOWS_FROM", link.TraceId, link.SpanId);
        }

        w.WriteEndArray();
        w.WriteNumber("startTime", span.StartUnixNano / 1000);
        w.WriteNumber("duration", span.DurationNano / 1000);
        // Kind and status are written from the model; a trace read from Jaeger still carries the tags they came from.
        var tags = span.Attributes.Where(a => a.Key is not ("span.kind" or "error" or "otel.status_code" or "otel.status_description")).ToList();
        if (span.Kind != SpanKind.Unspecified)
        {
            tags.Add(new("span.kind", span.Kind.ToString().ToLowerInvariant()));
        }

        if (span.Status == SpanStatusCode.Error)
        {
            tags.Add(new("error", true));
            tags.Add(new("otel.status_code", "ERROR"));
        }
        else if (span.Status == SpanStatusCode.Ok)
        {
            tags.Add(new("otel.status_code", "OK"));
        }

        if (span.StatusMessage is { } message)
        {
            tags.Add(new("otel.status_description", message));
        }

        WriteTags(w, "tags", tags);
        w.WriteStartArray("logs");
        foreach (var e in span.Events)
        {
            w.WriteStartObject();
            w.WriteNumber("timestamp", e.TimeUnixNano / 1000);
            WriteTags(w, "fields", e.Attributes.Prepend(new Attribute("event", e.Name)));
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteString("processID", processId);
        w.WriteEndObject();
    }

    private static void Reference(Utf8JsonWriter w, string type, string traceId, string spanId)
    {
        w.WriteStartObject();
        w.WriteString("refType", type);
        w.WriteString("traceID", traceId);
        w.WriteString("spanID", spanId);
        w.WriteEndObject();
    }

    private static void WriteTags(Utf8JsonWriter w, string name, IEnumerable<Attribute> tags)
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
                case double d when double.IsFinite(d):
                    w.WriteString("type", "float64");
                    w.WriteNumber("value", d);
                    break;
                case byte[] bytes:
                    w.WriteString("type", "binary");
                    w.WriteBase64String("value", bytes);
                    break;
                default:
                    w.WriteString("type", "string");
                    w.WriteString("value", AttributeValues.Format(value));
                    break;
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
    }
}
