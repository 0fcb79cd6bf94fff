using Google.Protobuf;
using OpsAssistant.Core.Model;

namespace OpsAssistant.Core.Formats;

/// <summary>Decodes one OTLP <c>Span</c> message, its events, links and status.</summary>
internal static class OtlpSpanReader
{
    private const int TraceIdBytes = 16;
    private const int SpanIdBytes = 8;

    public static Span ReadSpan(ByteString message, Resource resource, InstrumentationScope scope)
    {
        ByteString? traceId = null, spanId = null, parentSpanId = null;
        string name = "", traceState = "";
        var kind = SpanKind.Unspecified;
        ulong start = 0, end = 0;
        var status = SpanStatusCode.Unset;
        string? statusMessage = null;
        List<ByteString>? attributes = null;
        List<SpanEvent>? events = null;
        List<SpanLink>? links = null;

        using var input = OtlpWire.Open(message);
        while (input.ReadTag() is var tag and not 0)
        {
            switch (OtlpWire.Field(tag))
            {
                case 1 when OtlpWire.IsLengthDelimited(tag):
                    traceId = input.ReadBytes();
                    break;
                case 2 when OtlpWire.IsLengthDelimited(tag):
                    spanId = input.ReadBytes();
                    break;
                case 3 when OtlpWire.IsLengthDelimited(tag):
                    traceState = input.ReadString();
                    break;
                case 4 when OtlpWire.IsLengthDelimited(tag):
                    parentSpanId = input.ReadBytes();
                    break;
                case 5 when OtlpWire.IsLengthDelimited(tag):
                    name = input.ReadString();
                    break;
                case 6 when OtlpWire.IsVarint(tag):
                    kind = ToKind(input.ReadEnum());
                    break;
                case 7 when OtlpWire.IsFixed64(tag):
                    start = input.ReadFixed64();
                    break;
                case 8 when OtlpWire.IsFixed64(tag):
                    end = input.ReadFixed64();
                    break;
                case 9 when OtlpWire.IsLengthDelimited(tag):
                    (attributes ??= []).Add(input.ReadBytes());
                    break;
                case 11 when OtlpWire.IsLengthDelimited(tag):
                    (events ??= []).Add(ReadEvent(input.ReadBytes()));
                    break;
                case 13 when OtlpWire.IsLengthDelimited(tag):
                    (links ??= []).Add(ReadLink(input.ReadBytes()));
                    break;
                case 15 when OtlpWire.IsLengthDelimited(tag):
                    (status, statusMessage) = ReadStatus(input.ReadBytes());
                    break;
                default:
                    // flags (16), dropped counts and anything newer than this reader.
                    input.SkipLastField();
                    break;
            }
        }

        // Span IDs go to the span by value (its string is made if asked). An all-zero parent is the invalid span ID, which
        // exporters write for a root: no parent, as the JSON readers have it.
        var traceIdHex = RequireId(traceId, TraceIdBytes, "trace_id", name);
        var ownId = RequireIdNumber(spanId, "span_id", name);
        var parentId = parentSpanId is { Length: > 0 } ? RequireIdNumber(parentSpanId, "parent_span_id", name) : 0;
        return new Span(traceIdHex, spanId: null, ownId, parentSpanId: null, parentId, name)
        {
            Kind = kind,
            StartUnixNano = OtlpWire.ToUnixNano(start),
            EndUnixNano = OtlpWire.ToUnixNano(end),
            Status = status,
            StatusMessage = statusMessage,
            Resource = resource,
            Scope = scope,
            Attributes = OtlpValueReader.ReadKeyValues(attributes),
            Events = events?.ToArray() ?? [],
            Links = links?.ToArray() ?? [],
            TraceState = traceState.Length == 0 ? null : traceState,
        };
    }

    private static SpanEvent ReadEvent(ByteString message)
    {
        ulong time = 0;
        var name = "";
        List<ByteString>? attributes = null;
        using var input = OtlpWire.Open(message);
        while (input.ReadTag() is var tag and not 0)
        {
            switch (OtlpWire.Field(tag))
            {
                case 1 when OtlpWire.IsFixed64(tag):
                    time = input.ReadFixed64();
                    break;
                case 2 when OtlpWire.IsLengthDelimited(tag):
                    name = input.ReadString();
                    break;
                case 3 when OtlpWire.IsLengthDelimited(tag):
                    (attributes ??= []).Add(input.ReadBytes());
                    break;
                default:
                    input.SkipLastField();
                    break;
            }
        }

        return new SpanEvent(name, OtlpWire.ToUnixNano(time), OtlpValueReader.ReadKeyValues(attributes));
    }

    private static SpanLink ReadLink(ByteString message)
    {
        ByteString? traceId = null, spanId = null;
        List<ByteString>? attributes = null;
        using var input = OtlpWire.Open(message);
        while (input.ReadTag() is var tag and not 0)
        {
            switch (OtlpWire.Field(tag))
            {
                case 1 when OtlpWire.IsLengthDelimited(tag):
                    traceId = input.ReadBytes();
                    break;
                case 2 when OtlpWire.IsLengthDelimited(tag):
                    spanId = input.ReadBytes();
                    break;
                case 4 when OtlpWire.IsLengthDelimited(tag):
                    (attributes ??= []).Add(input.ReadBytes());
                    break;
                default:
                    // trace_state (3) has no place in the model's link; flags and dropped counts neither.
                    input.SkipLastField();
                    break;
            }
        }

        return new SpanLink(
            RequireId(traceId, TraceIdBytes, "link trace_id", null),
            RequireId(spanId, SpanIdBytes, "link span_id", null),
            OtlpValueReader.ReadKeyValues(attributes));
    }

    private static (SpanStatusCode Code, string? Message) ReadStatus(ByteString message)
    {
        var code = SpanStatusCode.Unset;
        string? text = null;
        using var input = OtlpWire.Open(message);
        while (input.ReadTag() is var tag and not 0)
        {
            switch (OtlpWire.Field(tag))
            {
                case 2 when OtlpWire.IsLengthDelimited(tag):
                    text = input.ReadString();
                    break;
                case 3 when OtlpWire.IsVarint(tag):
                    code = input.ReadEnum() switch
                    {
                        1 => SpanStatusCode.Ok,
                        2 => SpanStatusCode.Error,
                        _ => SpanStatusCode.Unset,
                    };
                    break;
                default:
                    input.SkipLastField();
                    break;
            }
        }

        return (code, string.IsNullOrEmpty(text) ? null : text);
    }

    private static SpanKind ToKind(int value) => value is >= 0 and <= 5 ? (SpanKind)value : SpanKind.Unspecified;

    private static ulong RequireIdNumber(ByteString? id, string field, string? spanName)
    {
        RequireLength(id, SpanIdBytes, field, spanName);
        return System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(id!.Span);
    }

    private static string RequireId(ByteString? id, int length, string field, string? spanName)
    {
        RequireLength(id, length, field, spanName);
        return TraceIds.ToHex(id!.Span);
    }

    private static void RequireLength(ByteString? id, int length, string field, string? spanName)
    {
        if (id is null || id.Length != length)
        {
            var where = spanName is null ? "" : $" in span '{spanName}'";
            throw new TraceFormatException(
                $"OTLP {field}{where} must be {length} bytes, got {id?.Length ?? 0}.");
        }
    }
}
