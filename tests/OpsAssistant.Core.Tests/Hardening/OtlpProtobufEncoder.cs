using System.Globalization;
using Google.Protobuf;
using OpsAssistant.Core.Model;

namespace OpsAssistant.Core.Tests.Hardening;

/// <summary>
/// Encodes a model trace as an OTLP <c>ExportTraceServiceRequest</c> by the published field numbers, so real traces
/// become valid protobuf seeds for the decoder's fuzz tests (one ResourceSpans per service).
/// </summary>
internal static class OtlpProtobufEncoder
{
    public static byte[] Encode(Trace trace) => Message(request =>
    {
        foreach (var service in trace.Spans.GroupBy(s => s.ServiceName, StringComparer.Ordinal))
        {
            Nested(request, 1, Message(resourceSpans =>
            {
                Nested(resourceSpans, 1, Message(resource => Nested(resource, 1, KeyValue("service.name", service.Key))));
                Nested(resourceSpans, 2, Message(scopeSpans =>
                {
                    Nested(scopeSpans, 1, Message(scope => Text(scope, 1, "seed")));
                    foreach (var span in service)
                    {
                        Nested(scopeSpans, 2, Span(span));
                    }
                }));
            }));
        }
    });

    private static byte[] Span(Span span) => Message(w =>
    {
        Bytes(w, 1, Convert.FromHexString(span.TraceId));
        Bytes(w, 2, Convert.FromHexString(span.SpanId.Length % 2 == 0 ? span.SpanId : "0" + span.SpanId));
        if (span.ParentSpanId is { Length: > 0 } parent && parent.All(char.IsAsciiHexDigit))
        {
            Bytes(w, 4, Convert.FromHexString(parent.Length % 2 == 0 ? parent : "0" + parent));
        }

        Text(w, 5, span.Name);
        w.WriteTag(6, WireFormat.WireType.Varint);
        w.WriteEnum((int)span.Kind);
        w.WriteTag(7, WireFormat.WireType.Fixed64);
        w.WriteFixed64((ulong)span.StartUnixNano);
        w.WriteTag(8, WireFormat.WireType.Fixed64);
        w.WriteFixed64((ulong)span.EndUnixNano);
        foreach (var attribute in span.Attributes)
        {
            Nested(w, 9, KeyValue(attribute.Key, Convert.ToString(attribute.Value, CultureInfo.InvariantCulture) ?? ""));
        }

        foreach (var spanEvent in span.Events)
        {
            Nested(w, 11, Message(e =>
            {
                e.WriteTag(1, WireFormat.WireType.Fixed64);
                e.WriteFixed64((ulong)spanEvent.TimeUnixNano);
                Text(e, 2, spanEvent.Name);
            }));
        }

        Nested(w, 15, Message(s =>
        {
            Text(s, 2, span.StatusMessage ?? "");
            s.WriteTag(3, WireFormat.WireType.Varint);
            s.WriteEnum((int)span.Status);
        }));
    });

    private static byte[] KeyValue(string key, string value) => Message(kv =>
    {
        Text(kv, 1, key);
        Nested(kv, 2, Message(v => Text(v, 1, value)));
    });

    public static byte[] Message(Action<CodedOutputStream> write)
    {
        using var buffer = new MemoryStream();
        using (var output = new CodedOutputStream(buffer, leaveOpen: true))
        {
            write(output);
        }

        return buffer.ToArray();
    }

    public static void Nested(CodedOutputStream output, int field, byte[] message) => Bytes(output, field, message);

    public static void Bytes(CodedOutputStream output, int field, byte[] value)
    {
        output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(ByteString.CopyFrom(value));
    }

    public static void Text(CodedOutputStream output, int field, string value)
    {
        output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        output.WriteString(value);
    }
}
