using System.Buffers.Binary;
using OpsAssistant.Core.Model;

namespace OpsAssistant.Core.Formats;

/// <summary>Decodes one OTLP <c>Span</c> message, its events, links and status.</summary>
internal static class OtlpSpanReader
{
    private const int TraceIdBytes = 16;
    private const int SpanIdBytes = 8;

    public static Span ReadSpan(ProtobufWireReader message, Resource resource, InstrumentationScope scope, OtlpProtobufReader.Scratch scratch)
    {
        // The attributes are read in a second pass, after the IDs are checked, as a span with a bad ID is named for that.
        var attributeFields = message;
        ReadOnlySpan<byte> traceId = default, spanId = default, parentSpanId = default;
        string name = "", traceState = "";
        var kind = SpanKind.Unspecified;
        ulong start = 0, end = 0;
        var status = SpanStatusCode.Unset;
        string? statusMessage = null;
        var hasAttributes = false;
        List<SpanEvent>? events = null;
        List<SpanLink>? links = null;

        while (message.Next())
        {
            switch (message.Field)
            {
                case 1 when message.WireType == ProtobufWireReader.LengthDelimited:
                    traceId = message.ReadBytes();
                    break;
                case 2 when message.WireType == ProtobufWireReader.LengthDelimited:
                    spanId = message.ReadBytes();
                    break;
                case 3 when message.WireType == ProtobufWireReader.LengthDelimited:
                    traceState = message.ReadString(scratch.Strings);
                    break;
                case 4 when message.WireType == ProtobufWireReader.LengthDelimited:
                    parentSpanId = message.ReadBytes();
                    break;
                case 5 when message.WireType == ProtobufWireReader.LengthDelimited:
                    name = message.ReadString(scratch.Strings);
                    break;
                case 6 when message.WireType == ProtobufWireReader.Varint:
                    kind = ToKind(message.ReadVarint());
                    break;
                case 7 when message.WireType == ProtobufWireReader.Fixed64:
                    start = message.ReadFixed64();
                    break;
                case 8 when message.WireType == ProtobufWireReader.Fixed64:
                    end = message.ReadFixed64();
                    break;
                case 9 when message.WireType == ProtobufWireReader.LengthDelimited:
                    hasAttributes = true;
                    message.Skip();
                    break;
                case 11 when message.WireType == ProtobufWireReader.LengthDelimited:
                    (events ??= []).Add(ReadEvent(message.ReadMessage(), scratch));
                    break;
                case 13 when message.WireType == ProtobufWireReader.LengthDelimited:
                    (links ??= []).Add(ReadLink(message.ReadMessage(), scratch));
                    break;
                case 15 when message.WireType == ProtobufWireReader.LengthDelimited:
                    (status, statusMessage) = ReadStatus(message.ReadMessage(), scratch);
                    break;
                default:
                    // flags (16), dropped counts and anything newer than this reader.
                    message.Skip();
                    break;
            }
        }

        // Span IDs go to the span by value (its string is made if asked). An all-zero parent is the invalid span ID, which
        // exporters write for a root: no parent, as the JSON readers have it.
        var traceIdHex = scratch.TraceIdHex(RequireLength(traceId, TraceIdBytes, "trace_id", name));
        var ownId = BinaryPrimitives.ReadUInt64BigEndian(RequireLength(spanId, SpanIdBytes, "span_id", name));
        var parentId = parentSpanId.IsEmpty ? 0 : BinaryPrimitives.ReadUInt64BigEndian(RequireLength(parentSpanId, SpanIdBytes, "parent_span_id", name));
        return new Span(traceIdHex, spanId: null, ownId, parentSpanId: null, parentId, name)
        {
            Kind = kind,
            StartUnixNano = ToUnixNano(start),
            EndUnixNano = ToUnixNano(end),
            Status = status,
            StatusMessage = statusMessage,
            Resource = resource,
            Scope = scope,
            Attributes = hasAttributes ? OtlpValueReader.ReadKeyValues(attributeFields, 9, scratch) : AttributeValues.Empty,
            Events = events?.ToArray() ?? [],
            Links = links?.ToArray() ?? [],
            TraceState = traceState.Length == 0 ? null : traceState,
        };
    }

    private static SpanEvent ReadEvent(ProtobufWireReader message, OtlpProtobufReader.Scratch scratch)
    {
        var attributeFields = message;
        ulong time = 0;
        var name = "";
        var hasAttributes = false;
        while (message.Next())
        {
            switch (message.Field)
            {
                case 1 when message.WireType == ProtobufWireReader.Fixed64:
                    time = message.ReadFixed64();
                    break;
                case 2 when message.WireType == ProtobufWireReader.LengthDelimited:
                    name = message.ReadString(scratch.Strings);
                    break;
                default:
                    hasAttributes |= message.IsLengthDelimited(3);
                    message.Skip();
                    break;
            }
        }

        var attributes = hasAttributes ? OtlpValueReader.ReadKeyValues(attributeFields, 3, scratch) : AttributeValues.Empty;
        return new SpanEvent(name, ToUnixNano(time), attributes);
    }

    private static SpanLink ReadLink(ProtobufWireReader message, OtlpProtobufReader.Scratch scratch)
    {
        var attributeFields = message;
        ReadOnlySpan<byte> traceId = default, spanId = default;
        var hasAttributes = false;
        while (message.Next())
        {
            switch (message.Field)
            {
                case 1 when message.WireType == ProtobufWireReader.LengthDelimited:
                    traceId = message.ReadBytes();
                    break;
                case 2 when message.WireType == ProtobufWireReader.LengthDelimited:
                    spanId = message.ReadBytes();
                    break;
                default:
                    // trace_state (3) has no place in the model's link; flags and dropped counts neither.
                    hasAttributes |= message.IsLengthDelimited(4);
                    message.Skip();
                    break;
            }
        }

        var traceIdHex = TraceIds.ToHex(RequireLength(traceId, TraceIdBytes, "link trace_id", null));
        var spanIdHex = TraceIds.ToHex(RequireLength(spanId, SpanIdBytes, "link span_id", null));
        var attributes = hasAttributes ? OtlpValueReader.ReadKeyValues(attributeFields, 4, scratch) : AttributeValues.Empty;
        return new SpanLink(traceIdHex, spanIdHex, attributes);
    }

    private static (SpanStatusCode Code, string? Message) ReadStatus(ProtobufWireReader message, OtlpProtobufReader.Scratch scratch)
    {
        var code = SpanStatusCode.Unset;
        string? text = null;
        while (message.Next())
        {
            switch (message.Field)
            {
                case 2 when message.WireType == ProtobufWireReader.LengthDelimited:
                    text = message.ReadString(scratch.Strings);
                    break;
                case 3 when message.WireType == ProtobufWireReader.Varint:
                    // An enum is 32 bits on the wire: a longer varint keeps its low 32 bits.
                    code = (int)message.ReadVarint() switch
                    {
                        1 => SpanStatusCode.Ok,
                        2 => SpanStatusCode.Error,
                        _ => SpanStatusCode.Unset,
                    };
                    break;
                default:
                    message.Skip();
                    break;
            }
        }

        return (code, string.IsNullOrEmpty(text) ? null : text);
    }

    private static SpanKind ToKind(ulong value) => (int)value is var kind and >= 0 and <= 5 ? (SpanKind)kind : SpanKind.Unspecified;

    private static long ToUnixNano(ulong value) => value > long.MaxValue ? long.MaxValue : (long)value;

    private static ReadOnlySpan<byte> RequireLength(ReadOnlySpan<byte> id, int length, string field, string? spanName)
    {
        if (id.Length != length)
        {
            var where = spanName is null ? "" : $" in span '{spanName}'";
            throw new TraceFormatException($"OTLP {field}{where} must be {length} bytes, got {id.Length}.");
        }

        return id;
    }
}
