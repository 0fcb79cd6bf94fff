using System.Text.Json;

namespace OpsAssistant.EvalGenerator;

/// <summary>
/// Writes OTLP-shaped JSON in three dialects: plain OTLP/JSON (hex IDs, numeric enums), Tempo's trace-by-ID answer
/// (<c>batches</c>, base64 IDs, enum names, as Tempo's protobuf-JSON marshalling writes them) and Jaeger API v3
/// (<c>{"result":{"resourceSpans":...}}</c>, hex IDs, numeric enums).
/// </summary>
internal static class OtlpJsonEmitter
{
    public static byte[] Emit(GenTrace trace, WireFormat format)
    {
        var tempo = format == WireFormat.Tempo;
        return Json.Write(trace.Spans.Count <= Json.CompactAbove, w =>
        {
            w.WriteStartObject();
            if (format == WireFormat.JaegerV3)
            {
                w.WriteStartObject("result");
            }

            w.WriteStartArray(tempo ? "batches" : "resourceSpans");
            foreach (var service in trace.Services)
            {
                WriteResourceSpans(w, trace, service, tempo);
            }

            w.WriteEndArray();
            if (format == WireFormat.JaegerV3)
            {
                w.WriteEndObject();
            }

            w.WriteEndObject();
        });
    }

    /// <summary>Many traces in one OTLP/JSON document (a window of traces for the incident cases), written compact.</summary>
    public static byte[] EmitMany(IReadOnlyList<GenTrace> traces) => Json.Write(false, w =>
    {
        w.WriteStartObject();
        w.WriteStartArray("resourceSpans");
        foreach (var trace in traces)
        {
            foreach (var service in trace.Services)
            {
                WriteResourceSpans(w, trace, service, tempo: false);
            }
        }

        w.WriteEndArray();
        w.WriteEndObject();
    });

    private static void WriteResourceSpans(Utf8JsonWriter w, GenTrace trace, string service, bool tempo)
    {
        w.WriteStartObject();
        w.WriteStartObject("resource");
        WriteAttributes(w, trace.Resources[service]);
        w.WriteEndObject();
        w.WriteStartArray("scopeSpans");
        w.WriteStartObject();
        w.WriteStartObject("scope");
        w.WriteString("name", ScopeOf(trace.Resources[service]));
        w.WriteString("version", "1.9.0");
        w.WriteEndObject();
        w.WriteStartArray("spans");
        foreach (var span in trace.Spans.Where(s => s.Service == service))
        {
            WriteSpan(w, trace, span, tempo);
        }

        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteSpan(Utf8JsonWriter w, GenTrace trace, GenSpan span, bool tempo)
    {
        w.WriteStartObject();
        w.WriteString("traceId", Id(trace.TraceId, tempo));
        w.WriteString("spanId", Id(span.SpanId, tempo));
        if (span.Parent is not null)
        {
            w.WriteString("parentSpanId", Id(span.Parent.SpanId, tempo));
        }

        w.WriteString("name", span.Name);
        if (tempo)
        {
            w.WriteString("kind", "SPAN_KIND_" + span.Kind.ToString().ToUpperInvariant());
        }
        else
        {
            w.WriteNumber("kind", (int)span.Kind);
        }

        w.WriteString("startTimeUnixNano", Json.Str(span.StartUs * 1000));
        w.WriteString("endTimeUnixNano", Json.Str(span.EndUs * 1000));
        WriteAttributes(w, span.Attributes);
        if (span.Events.Count > 0)
        {
            w.WriteStartArray("events");
            foreach (var e in span.Events)
            {
                w.WriteStartObject();
                w.WriteString("timeUnixNano", Json.Str(e.TimeUs * 1000));
                w.WriteString("name", e.Name);
                WriteAttributes(w, e.Attributes);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        w.WriteStartObject("status");
        if (span.Error || span.Ok)
        {
            if (tempo)
            {
                w.WriteString("code", span.Error ? "STATUS_CODE_ERROR" : "STATUS_CODE_OK");
            }
            else
            {
                w.WriteNumber("code", span.Error ? 2 : 1);
            }
        }

        if (span.StatusMessage is not null)
        {
            w.WriteString("message", span.StatusMessage);
        }

        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void WriteAttributes(Utf8JsonWriter w, IEnumerable<KeyValuePair<string, object>> attributes)
    {
        w.WriteStartArray("attributes");
        foreach (var (key, value) in attributes)
        {
            w.WriteStartObject();
            w.WriteString("key", key);
            w.WriteStartObject("value");
            switch (value)
            {
                case bool b:
                    w.WriteBoolean("boolValue", b);
                    break;
                case long l:
                    // OTLP/JSON writes 64-bit integers as strings.
                    w.WriteString("intValue", Json.Str(l));
                    break;
                case double d:
                    w.WriteNumber("doubleValue", d);
                    break;
                default:
                    w.WriteString("stringValue", Json.Text(value));
                    break;
            }

            w.WriteEndObject();
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    private static string Id(string hex, bool base64) => base64 ? Convert.ToBase64String(Convert.FromHexString(hex)) : hex;

    private static string ScopeOf(List<KeyValuePair<string, object>> resource) =>
        (resource.FirstOrDefault(a => a.Key == "telemetry.sdk.language").Value as string) switch
        {
            "java" => "io.opentelemetry.spring-webmvc-6.0",
            "dotnet" => "OpenTelemetry.Instrumentation.AspNetCore",
            "nodejs" => "@opentelemetry/instrumentation-grpc",
            "python" => "opentelemetry.instrumentation.grpc",
            _ => "go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc",
        };
}
