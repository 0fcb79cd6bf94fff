using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using OpsAssistant.Core.Model;

namespace OpsAssistant.Infrastructure.Storage;

/// <summary>
/// The stored form of one trace's spans of one ingest request (a row of <c>trace_chunks</c>). Binary and length-prefixed:
/// <code>
/// version (1 byte)
/// resources: count, then each as (length, the payload's "r" JSON object)
/// scopes:    count, then each as (length, the payload's "c" JSON object); a span's scope 0 is the empty scope, i is entry i-1
/// spans:     count, then each as
///     flags (1 byte: <see cref="SpanFlags"/>)
///     span ID: 8 bytes little-endian when canonical (16 lower-case hex digits), else (length, UTF-8)
///     parent ID when there is one: the same two forms (a zero ID is kept as text, as it was written)
///     name (length, UTF-8), start (zigzag), end - start (zigzag), resource index, scope index
///     details (length, the rest of <see cref="SpanPayloadCodec"/>'s payload: kind, status, attributes, events, links, ...)
/// </code>
/// Counts, lengths and indexes are unsigned LEB128 varints. Resources and scopes are written once per chunk instead of once
/// per span, the IDs by value; the details stay the tagged JSON of <see cref="SpanPayloadCodec"/>, so every field it keeps
/// (int against double attribute values included) round-trips exactly. Spans are written in start order (then span ID),
/// the order a trace is read in. <see cref="SpanPayloadDecoder.DecodeChunk"/> reads it back.
/// </summary>
internal static class SpanChunkCodec
{
    public const byte Version = 1;

    [Flags]
    public enum SpanFlags : byte
    {
        None = 0,
        IdText = 1,
        HasParent = 2,
        ParentText = 4,
        Error = 8,
    }

    /// <summary>The spans of one chunk, already deduplicated and in start order, as bytes.</summary>
    public static byte[] Encode(ReadOnlySpan<ChunkSpan> spans)
    {
        var resources = new Dictionary<Resource, int>(ReferenceEqualityComparer.Instance);
        var scopes = new Dictionary<InstrumentationScope, int>(ReferenceEqualityComparer.Instance);
        var head = new ArrayBufferWriter<byte>(512);
        var body = new ArrayBufferWriter<byte>(spans.Length * 192);
        var json = new ArrayBufferWriter<byte>(256);
        using var writer = new Utf8JsonWriter(json);
        var resourceTable = new ArrayBufferWriter<byte>(256);
        var scopeTable = new ArrayBufferWriter<byte>(128);

        foreach (ref readonly var entry in spans)
        {
            var span = entry.Span;
            var flags = (entry.IdText is null ? SpanFlags.None : SpanFlags.IdText)
                | (entry.HasParent ? SpanFlags.HasParent : SpanFlags.None)
                | (entry.HasParent && entry.ParentText is not null ? SpanFlags.ParentText : SpanFlags.None)
                | (span.IsError ? SpanFlags.Error : SpanFlags.None);
            WriteByte(body, (byte)flags);
            WriteId(body, entry.Id, entry.IdText);
            if (entry.HasParent)
            {
                WriteId(body, entry.Parent, entry.ParentText);
            }

            WriteString(body, span.Name);
            WriteVarint(body, ZigZag(span.StartUnixNano));
            WriteVarint(body, ZigZag(span.EndUnixNano - span.StartUnixNano));

            if (!resources.TryGetValue(span.Resource, out var resource))
            {
                resources[span.Resource] = resource = resources.Count;
                SpanPayloadCodec.WriteResource(Restart(json, writer), span.Resource);
                Append(resourceTable, json, writer);
            }

            var scope = 0;
            if (!ReferenceEquals(span.Scope, InstrumentationScope.Empty) && !scopes.TryGetValue(span.Scope, out scope))
            {
                scopes[span.Scope] = scope = scopes.Count + 1;
                SpanPayloadCodec.WriteScope(Restart(json, writer), span.Scope);
                Append(scopeTable, json, writer);
            }

            WriteVarint(body, (ulong)resource);
            WriteVarint(body, (ulong)scope);
            SpanPayloadCodec.EncodeDetails(Restart(json, writer), span);
            Append(body, json, writer);
        }

        WriteByte(head, Version);
        WriteVarint(head, (ulong)resources.Count);
        head.Write(resourceTable.WrittenSpan);
        WriteVarint(head, (ulong)scopes.Count);
        head.Write(scopeTable.WrittenSpan);
        WriteVarint(head, (ulong)spans.Length);

        var chunk = new byte[head.WrittenCount + body.WrittenCount];
        head.WrittenSpan.CopyTo(chunk);
        body.WrittenSpan.CopyTo(chunk.AsSpan(head.WrittenCount));
        return chunk;
    }

    /// <summary>
    /// The chunk's span keys (<c>trace_chunks.span_keys</c>): count, then per span its flags (ID form, error) and ID, so a
    /// later write can tell a re-sent span and what its stored copy counted without reading the payloads.
    /// </summary>
    public static byte[] EncodeKeys(ReadOnlySpan<ChunkSpan> spans)
    {
        var output = new ArrayBufferWriter<byte>((spans.Length * 9) + 4);
        WriteVarint(output, (ulong)spans.Length);
        foreach (ref readonly var entry in spans)
        {
            WriteByte(output, (byte)((entry.IdText is null ? SpanFlags.None : SpanFlags.IdText) | (entry.Span.IsError ? SpanFlags.Error : SpanFlags.None)));
            WriteId(output, entry.Id, entry.IdText);
        }

        return output.WrittenSpan.ToArray();
    }

    /// <summary>Adds the keys of <see cref="EncodeKeys"/> to <paramref name="keys"/> (ID to error flag), later ones replacing earlier.</summary>
    public static void ReadKeys(ReadOnlySpan<byte> data, Dictionary<(ulong, string?), bool> keys)
    {
        var position = 0;
        var count = ReadVarint(data, ref position);
        for (ulong i = 0; i < count; i++)
        {
            var flags = (SpanFlags)data[position++];
            if ((flags & SpanFlags.IdText) != 0)
            {
                keys[(0, Encoding.UTF8.GetString(ReadBytes(data, ref position)))] = (flags & SpanFlags.Error) != 0;
            }
            else
            {
                keys[(BinaryPrimitives.ReadUInt64LittleEndian(data.Slice(position, 8)), null)] = (flags & SpanFlags.Error) != 0;
                position += 8;
            }
        }
    }

    /// <summary>The next unsigned varint at <paramref name="position"/>, which it moves past.</summary>
    public static ulong ReadVarint(ReadOnlySpan<byte> data, ref int position)
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var b = data[position++];
            value |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }

        throw new InvalidDataException("A stored span chunk holds a malformed number.");
    }

    /// <summary>The next length-prefixed byte run at <paramref name="position"/>, which it moves past.</summary>
    public static ReadOnlySpan<byte> ReadBytes(ReadOnlySpan<byte> data, ref int position)
    {
        var length = checked((int)ReadVarint(data, ref position));
        var bytes = data.Slice(position, length);
        position += length;
        return bytes;
    }

    public static long UnZigZag(ulong value) => (long)(value >> 1) ^ -(long)(value & 1);

    private static ulong ZigZag(long value) => (ulong)((value << 1) ^ (value >> 63));

    /// <summary>The writer, emptied, for the next JSON value of <paramref name="scratch"/>.</summary>
    private static Utf8JsonWriter Restart(ArrayBufferWriter<byte> scratch, Utf8JsonWriter writer)
    {
        scratch.ResetWrittenCount();
        writer.Reset(scratch);
        return writer;
    }

    /// <summary>The JSON value just written to <paramref name="scratch"/>, length-prefixed onto <paramref name="output"/>.</summary>
    private static void Append(ArrayBufferWriter<byte> output, ArrayBufferWriter<byte> scratch, Utf8JsonWriter writer)
    {
        writer.Flush();
        WriteVarint(output, (ulong)scratch.WrittenCount);
        output.Write(scratch.WrittenSpan);
    }

    private static void WriteId(ArrayBufferWriter<byte> output, ulong number, string? text)
    {
        if (text is null)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(output.GetSpan(8), number);
            output.Advance(8);
        }
        else
        {
            WriteString(output, text);
        }
    }

    private static void WriteString(ArrayBufferWriter<byte> output, string value)
    {
        var length = Encoding.UTF8.GetByteCount(value);
        WriteVarint(output, (ulong)length);
        Encoding.UTF8.GetBytes(value, output.GetSpan(length));
        output.Advance(length);
    }

    private static void WriteByte(ArrayBufferWriter<byte> output, byte value)
    {
        output.GetSpan(1)[0] = value;
        output.Advance(1);
    }

    private static void WriteVarint(ArrayBufferWriter<byte> output, ulong value)
    {
        var span = output.GetSpan(10);
        var i = 0;
        while (value >= 0x80)
        {
            span[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        span[i++] = (byte)value;
        output.Advance(i);
    }
}

/// <summary>
/// A span on its way into a chunk, with its IDs in stored form: <see cref="IdText"/> null means <see cref="Id"/> is the
/// canonical ID by value; likewise for the parent when <see cref="HasParent"/>.
/// </summary>
internal readonly record struct ChunkSpan(Span Span, ulong Id, string? IdText, bool HasParent, ulong Parent, string? ParentText)
{
    /// <summary>A span with its IDs in stored form: canonical ones (after lower-casing) by value, others as text.</summary>
    public static ChunkSpan From(Span span)
    {
        ulong id;
        string? idText = null;
        if (!span.TryGetSpanIdNumber(out id))
        {
            var text = span.SpanId?.ToLowerInvariant() ?? "";
            if (!SpanPayloadDecoder.TryParseSpanId(text, out id))
            {
                (idText, id) = (text, 0);
            }
        }

        if (span.TryGetParentNumber(out var parent))
        {
            return new ChunkSpan(span, id, idText, true, parent, null);
        }

        if (span.IsParentless || span.ParentSpanId is not { Length: > 0 } parentId)
        {
            return new ChunkSpan(span, id, idText, false, 0, null);
        }

        // A zero parent ID is kept as written: it reads back as that text, not as "no parent".
        var lower = parentId.ToLowerInvariant();
        return SpanPayloadDecoder.TryParseSpanId(lower, out parent) && parent != 0
            ? new ChunkSpan(span, id, idText, true, parent, null)
            : new ChunkSpan(span, id, idText, true, 0, lower);
    }
}
