using System.Text.Json.Nodes;
using OpsAssistant.Core.Model;

namespace OpsAssistant.Core.Formats;

/// <summary>
/// Writes a trace in any JSON wire format <see cref="TraceReader"/> reads: OTLP/JSON, Tempo (<c>batches</c>, base64 IDs,
/// enum names, as Tempo's protobuf-JSON marshalling writes them), Jaeger v1, Jaeger v3 (<c>{"result":{"resourceSpans"}}</c>)
/// and Zipkin v2. What each format cannot hold (see <see cref="ZipkinJsonWriter"/>) is left out, as an exporter would.
/// </summary>
public static class TraceWriter
{
    /// <summary>The formats this writer produces.</summary>
    public static IReadOnlyList<TraceFormat> Formats { get; } =
        [TraceFormat.OtlpJson, TraceFormat.Tempo, TraceFormat.JaegerV1, TraceFormat.JaegerV3, TraceFormat.ZipkinV2];

    public static byte[] ToUtf8Bytes(Trace trace, TraceFormat format)
    {
        ArgumentNullException.ThrowIfNull(trace);
        return format switch
        {
            TraceFormat.OtlpJson => OtlpJsonWriter.ToUtf8Bytes(trace.Spans),
            TraceFormat.JaegerV3 => Wrap("result", OtlpJsonWriter.ToUtf8Bytes(trace.Spans)),
            TraceFormat.Tempo => Tempo(OtlpJsonWriter.ToUtf8Bytes(trace.Spans)),
            TraceFormat.JaegerV1 => JaegerJsonWriter.ToUtf8Bytes(trace),
            TraceFormat.ZipkinV2 => ZipkinJsonWriter.ToUtf8Bytes(trace.Spans),
            _ => throw new ArgumentOutOfRangeException(nameof(format), format, "no JSON writer for this format"),
        };
    }

    private static byte[] Wrap(string property, byte[] inner)
    {
        var node = new JsonObject { [property] = JsonNode.Parse(inner) };
        return System.Text.Encoding.UTF8.GetBytes(node.ToJsonString());
    }

    private static byte[] Tempo(byte[] otlp)
    {
        var root = JsonNode.Parse(otlp)!.AsObject();
        var batches = root["resourceSpans"]!;
        root.Remove("resourceSpans");
        root["batches"] = batches;
        foreach (var scope in batches.AsArray().SelectMany(b => b!["scopeSpans"]!.AsArray()))
        {
            foreach (var span in scope!["spans"]!.AsArray().Select(s => s!.AsObject()))
            {
                Base64(span, "traceId");
                Base64(span, "spanId");
                Base64(span, "parentSpanId");
                span["kind"] = "SPAN_KIND_" + ((SpanKind)(int)span["kind"]!).ToString().ToUpperInvariant();
                if (span["status"]?["code"] is { } code)
                {
                    span["status"]!["code"] = "STATUS_CODE_" + ((SpanStatusCode)(int)code).ToString().ToUpperInvariant();
                }

                foreach (var link in span["links"]?.AsArray() ?? [])
                {
                    Base64(link!.AsObject(), "traceId");
                    Base64(link!.AsObject(), "spanId");
                }
            }
        }

        return System.Text.Encoding.UTF8.GetBytes(root.ToJsonString());
    }

    private static void Base64(JsonObject span, string property)
    {
        if (span[property] is { } id)
        {
            span[property] = Convert.ToBase64String(Convert.FromHexString((string)id!));
        }
    }
}
