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

    /// <summary>
    /// Encodes spans with everything OTLP carries (typed attribute values, events and links with their attributes, status,
    /// trace state, scope and resource attributes): one ResourceSpans per distinct <see cref="Resource"/> and one ScopeSpans
    /// per distinct scope within it, by reference and in order of first appearance, so reading the result back gives the
    /// spans in that grouped order with the same sharing.
    /// </summary>
    public static byte[] EncodeExact(IEnumerable<Span> spans) => Message(request =>
    {
        foreach (var byResource in spans.GroupBy(s => s.Resource, ReferenceEqualityComparer.Instance))
        {
            var resource = (Resource)byResource.Key!;
            Nested(request, 1, Message(resourceSpans =>
            {
                Nested(resourceSpans, 1, Message(r => WriteAttributes(r, 1, resource.Attributes)));
                foreach (var byScope in byResource.GroupBy(s => s.Scope, ReferenceEqualityComparer.Instance))
                {
                    var scope = (InstrumentationScope)byScope.Key!;
                    Nested(resourceSpans, 2, Message(scopeSpans =>
                    {
                        if (!ReferenceEquals(scope, InstrumentationScope.Empty))
                        {
                            Nested(scopeSpans, 1, Message(s =>
                            {
                                Text(s, 1, scope.Name);
                                Text(s, 2, scope.Version ?? "");
                                WriteAttributes(s, 3, scope.Attributes ?? []);
                            }));
                        }

                        foreach (var span in byScope)
                        {
                            Nested(scopeSpans, 2, ExactSpan(span));
                        }
                    }));
                }
            }));
        }
    });

    private static byte[] ExactSpan(Span span) => Message(w =>
    {
        Bytes(w, 1, Convert.FromHexString(span.TraceId));
        Bytes(w, 2, Convert.FromHexString(span.SpanId));
        if (span.TraceState is { } traceState)
        {
            Text(w, 3, traceState);
        }

        if (span.ParentSpanId is { } parent)
        {
            Bytes(w, 4, Convert.FromHexString(parent));
        }

        NameKindTimes(w, span);
        WriteAttributes(w, 9, span.Attributes);
        foreach (var spanEvent in span.Events)
        {
            Nested(w, 11, Message(e =>
            {
                e.WriteTag(1, WireFormat.WireType.Fixed64);
                e.WriteFixed64((ulong)spanEvent.TimeUnixNano);
                Text(e, 2, spanEvent.Name);
                WriteAttributes(e, 3, spanEvent.Attributes);
            }));
        }

        foreach (var link in span.Links)
        {
            Nested(w, 13, Message(l =>
            {
                Bytes(l, 1, Convert.FromHexString(link.TraceId));
                Bytes(l, 2, Convert.FromHexString(link.SpanId));
                WriteAttributes(l, 4, link.Attributes);
            }));
        }

        Nested(w, 15, Message(s =>
        {
            Text(s, 2, span.StatusMessage ?? "");
            s.WriteTag(3, WireFormat.WireType.Varint);
            s.WriteEnum((int)span.Status);
        }));
    });

    /// <summary>Span fields 5 to 8: name, kind, start and end.</summary>
    private static void NameKindTimes(CodedOutputStream w, Span span)
    {
        Text(w, 5, span.Name);
        w.WriteTag(6, WireFormat.WireType.Varint);
        w.WriteEnum((int)span.Kind);
        w.WriteTag(7, WireFormat.WireType.Fixed64);
        w.WriteFixed64((ulong)span.StartUnixNano);
        w.WriteTag(8, WireFormat.WireType.Fixed64);
        w.WriteFixed64((ulong)span.EndUnixNano);
    }

    private static void WriteAttributes(CodedOutputStream output, int field, IReadOnlyList<OpsAssistant.Core.Model.Attribute> attributes)
    {
        foreach (var attribute in attributes)
        {
            Nested(output, field, Message(kv =>
            {
                Text(kv, 1, attribute.Key);
                Nested(kv, 2, AnyValue(attribute.Value));
            }));
        }
    }

    /// <summary>An AnyValue holding <paramref name="value"/> as the model types it; null is the empty AnyValue.</summary>
    public static byte[] AnyValue(object? value) => Message(v =>
    {
        switch (value)
        {
            case null:
                break;
            case string s:
                Text(v, 1, s);
                break;
            case bool b:
                v.WriteTag(2, WireFormat.WireType.Varint);
                v.WriteBool(b);
                break;
            case long l:
                v.WriteTag(3, WireFormat.WireType.Varint);
                v.WriteInt64(l);
                break;
            case double d:
                v.WriteTag(4, WireFormat.WireType.Fixed64);
                v.WriteDouble(d);
                break;
            case object?[] array:
                Nested(v, 5, Message(a =>
                {
                    foreach (var item in array)
                    {
                        Nested(a, 1, AnyValue(item));
                    }
                }));
                break;
            case byte[] bytes:
                Bytes(v, 7, bytes);
                break;
            default:
                throw new ArgumentException($"No OTLP AnyValue for {value.GetType()}.", nameof(value));
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

        NameKindTimes(w, span);
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
