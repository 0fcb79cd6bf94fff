using System.Globalization;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using OpsAssistant.Core.Model;
using Attribute = OpsAssistant.Core.Model.Attribute;

namespace OpsAssistant.Infrastructure.Storage;

/// <summary>
/// Reads the rows of one query back into spans (the inverse of <see cref="SpanPayloadCodec.Encode"/>). One instance per
/// query: a trace's spans repeat a few resources, scopes, names and attribute keys, so each distinct resource and scope
/// is built once and shared by reference, and short strings are read once. The payload is walked with a
/// <see cref="Utf8JsonReader"/>, never materialised as a document: decoding was most of the cost of loading a trace.
/// </summary>
internal sealed class SpanPayloadDecoder
{
    // Longer strings are rarely repeated (statements, messages); pooling them would only grow the table.
    private const int MaxPooledChars = 96;

    private const int MaxBoxes = 4096;
    private const int End = 0;
    private const int Unknown = -1;
    private const int Status = 's' | ('t' << 8);
    private const int StatusMessage = 's' | ('m' << 8);
    private const int FollowsFrom = 'f' | ('f' << 8);
    private const int TraceState = 't' | ('s' << 8);

    private static readonly object True = true;
    private static readonly object False = false;

    private readonly SharedObjects _shared;
    private readonly HashSet<string> _strings = new(StringComparer.Ordinal);
    private readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> _stringLookup;

    // Scratch stacks for attribute lists and array values of unknown length; nested lists push above their parent's items.
    private readonly List<Attribute> _attributes = [];
    private readonly List<object?> _values = [];

    // The spans' own attribute lists, packed into shared arrays instead of an array per span.
    private readonly AttributeChunks _chunks = new();

    // Boxes handed out for integer values; capped, so a trace of unique numbers costs no more than a box each.
    private readonly Dictionary<long, object> _boxes = [];

    public SpanPayloadDecoder()
        : this(new SharedObjects())
    {
    }

    /// <summary>A decoder that shares <paramref name="shared"/>'s resources and scopes with others decoding the same read.</summary>
    public SpanPayloadDecoder(SharedObjects shared)
    {
        _shared = shared;
        _stringLookup = _strings.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>The indexed columns plus the payload.</summary>
    public Span Decode(in SpanRow row) =>
        Decode(row.TraceId, row.SpanId, 0, row.ParentSpanId, 0, Pool(row.Name), row.StartNano, row.EndNano, row.Payload);

    /// <summary>
    /// One stored span from its columns as a reader met them: an ID given as a string (<paramref name="spanId"/>,
    /// <paramref name="parentSpanId"/>) is kept as it is; a null string means the number beside it is the ID (a zero parent
    /// number: no parent). The payload is only read, so it may be a view of a pooled buffer or of the provider's own memory.
    /// </summary>
    public Span Decode(string traceId, string? spanId, ulong spanIdNumber, string? parentSpanId, ulong parentNumber, string name, long startNano, long endNano, ReadOnlySpan<byte> payload) =>
        Decode(traceId, spanId, spanIdNumber, parentSpanId, parentNumber, name, startNano, endNano, payload, Resource.Unknown, InstrumentationScope.Empty);

    /// <summary>
    /// The spans of one <c>trace_chunks</c> row (<see cref="SpanChunkCodec"/>), appended to <paramref name="spans"/> in the
    /// chunk's order; with <paramref name="service"/>, only that service's spans (the others' details are not decoded).
    /// </summary>
    public void DecodeChunk(string traceId, ReadOnlySpan<byte> chunk, List<Span> spans, string? service = null)
    {
        var header = ReadChunkHeader(chunk);
        DecodeSpans(traceId, chunk[header.SpansStart..], header.SpanCount, header, spans, service);
    }

    /// <summary>A chunk's resources and scopes, and where its span records start.</summary>
    /// <exception cref="InvalidDataException">The chunk is of an unknown version or malformed.</exception>
    public ChunkHeader ReadChunkHeader(ReadOnlySpan<byte> chunk)
    {
        var position = 0;
        if (chunk.IsEmpty || chunk[position++] != SpanChunkCodec.Version)
        {
            throw new InvalidDataException("A stored span chunk is of an unknown version.");
        }

        var resources = new Resource[checked((int)SpanChunkCodec.ReadVarint(chunk, ref position))];
        for (var i = 0; i < resources.Length; i++)
        {
            resources[i] = _shared.Resource(this, SpanChunkCodec.ReadBytes(chunk, ref position));
        }

        var scopes = new InstrumentationScope[checked((int)SpanChunkCodec.ReadVarint(chunk, ref position)) + 1];
        scopes[0] = InstrumentationScope.Empty;
        for (var i = 1; i < scopes.Length; i++)
        {
            scopes[i] = _shared.Scope(this, SpanChunkCodec.ReadBytes(chunk, ref position));
        }

        var count = checked((int)SpanChunkCodec.ReadVarint(chunk, ref position));
        return new ChunkHeader(resources, scopes, position, count);
    }

    /// <summary>Where the span record at <paramref name="position"/> of <paramref name="records"/> ends, without decoding it.</summary>
    public static int SkipSpan(ReadOnlySpan<byte> records, int position)
    {
        _ = ReadRecord(records, ref position);
        return position;
    }

    /// <summary>
    /// <paramref name="count"/> consecutive span records of a chunk whose header is <paramref name="header"/>, appended to
    /// <paramref name="spans"/>; with <paramref name="service"/>, only that service's spans.
    /// </summary>
    public void DecodeSpans(string traceId, ReadOnlySpan<byte> records, int count, ChunkHeader header, List<Span> spans, string? service = null)
    {
        var position = 0;
        spans.EnsureCapacity(spans.Count + count);
        for (var n = 0; n < count; n++)
        {
            var record = ReadRecord(records, ref position);
            var resource = header.Resources[record.Resource];
            var scope = header.Scopes[record.Scope];
            if (service is not null && !string.Equals(resource.ServiceName, service, StringComparison.Ordinal))
            {
                continue;
            }

            var (idText, id) = Id(record.Id, (record.Flags & SpanChunkCodec.SpanFlags.IdText) != 0);
            var (parentText, parent) = (record.Flags & SpanChunkCodec.SpanFlags.HasParent) != 0
                ? Id(record.Parent, (record.Flags & SpanChunkCodec.SpanFlags.ParentText) != 0)
                : (null, 0UL);
            spans.Add(Decode(traceId, idText, id, parentText, parent, Name(record.Name), record.Start, record.End, record.Details, resource, scope));
        }
    }

    /// <summary>
    /// One span record as <see cref="SpanChunkCodec"/> lays it out, its variable parts left as views of the chunk: the one
    /// place that reads the layout, for decoding a record and for stepping over it.
    /// </summary>
    private static SpanRecord ReadRecord(ReadOnlySpan<byte> records, ref int position)
    {
        var flags = (SpanChunkCodec.SpanFlags)records[position++];
        var id = IdBytes(records, ref position, (flags & SpanChunkCodec.SpanFlags.IdText) != 0);
        var parent = (flags & SpanChunkCodec.SpanFlags.HasParent) != 0
            ? IdBytes(records, ref position, (flags & SpanChunkCodec.SpanFlags.ParentText) != 0)
            : default;
        var name = SpanChunkCodec.ReadBytes(records, ref position);
        var start = SpanChunkCodec.UnZigZag(SpanChunkCodec.ReadVarint(records, ref position));
        var end = start + SpanChunkCodec.UnZigZag(SpanChunkCodec.ReadVarint(records, ref position));
        var resource = checked((int)SpanChunkCodec.ReadVarint(records, ref position));
        var scope = checked((int)SpanChunkCodec.ReadVarint(records, ref position));
        var details = SpanChunkCodec.ReadBytes(records, ref position);
        return new SpanRecord(flags, id, parent, name, start, end, resource, scope, details);
    }

    /// <summary>A span ID as stored: its text, length-prefixed, or its 64-bit value in 8 bytes.</summary>
    private static ReadOnlySpan<byte> IdBytes(ReadOnlySpan<byte> records, ref int position, bool text)
    {
        if (text)
        {
            return SpanChunkCodec.ReadBytes(records, ref position);
        }

        var bytes = records.Slice(position, sizeof(ulong));
        position += sizeof(ulong);
        return bytes;
    }

    private static (string? Text, ulong Number) Id(ReadOnlySpan<byte> bytes, bool text) =>
        text ? (Encoding.UTF8.GetString(bytes), 0) : (null, System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(bytes));

    private Span Decode(string traceId, string? spanId, ulong spanIdNumber, string? parentSpanId, ulong parentNumber, string name, long startNano, long endNano, ReadOnlySpan<byte> payload, Resource resource, InstrumentationScope scope)
    {
        var reader = new Utf8JsonReader(payload);
        Expect(ref reader, JsonTokenType.StartObject);

        var kind = SpanKind.Unspecified;
        var status = SpanStatusCode.Unset;
        string? statusMessage = null;
        var followsFrom = false;
        string? traceState = null;
        AttributeRange attributes = default;
        IReadOnlyList<SpanEvent> events = [];
        IReadOnlyList<SpanLink> links = [];
        for (var property = NextProperty(ref reader); property != End; property = NextProperty(ref reader))
        {
            switch (property)
            {
                case 'r': resource = _shared.Resource(this, RawValue(ref reader, payload)); break;
                case 'c': scope = _shared.Scope(this, RawValue(ref reader, payload)); break;
                case 'k': kind = (SpanKind)reader.GetInt32(); break;
                case Status: status = (SpanStatusCode)reader.GetInt32(); break;
                case StatusMessage: statusMessage = ReadString(ref reader); break;
                case FollowsFrom: followsFrom = reader.GetBoolean(); break;
                case TraceState: traceState = ReadString(ref reader); break;
                case 'a': attributes = ReadPackedAttributes(ref reader); break;
                case 'e': events = ReadEvents(ref reader); break;
                case 'l': links = ReadLinks(ref reader); break;
                default: reader.Skip(); break;
            }
        }

        return new Span(traceId, spanId, spanIdNumber, parentSpanId, parentNumber, name)
        {
            StartUnixNano = startNano,
            EndUnixNano = endNano,
            Resource = resource,
            Scope = scope,
            Kind = kind,
            Status = status,
            StatusMessage = statusMessage,
            ParentIsFollowsFrom = followsFrom,
            TraceState = traceState,
            AttributeRange = attributes,
            Events = events,
            Links = links,
        };
    }

    /// <summary>A span name column, one string per distinct short name.</summary>
    public string Name(string name) => Pool(name);

    /// <summary>A span name column as UTF-8, read once per distinct short name.</summary>
    public string Name(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length > MaxPooledChars)
        {
            return Encoding.UTF8.GetString(utf8);
        }

        Span<char> chars = stackalloc char[MaxPooledChars];
        var written = Encoding.UTF8.GetChars(utf8, chars);
        return Pool(chars[..written]);
    }

    /// <summary>
    /// A stored span ID's 64-bit value when the column holds its canonical form (16 lower-case hex digits), so the span
    /// carries the number and makes the string only if asked; false for anything else, which is then kept as written.
    /// </summary>
    public static bool TryParseSpanId(ReadOnlySpan<byte> utf8, out ulong value) => TryParseHex(utf8, out value);

    /// <inheritdoc cref="TryParseSpanId(ReadOnlySpan{byte}, out ulong)"/>
    public static bool TryParseSpanId(ReadOnlySpan<char> text, out ulong value) => TryParseHex(text, out value);

    private static bool TryParseHex<T>(ReadOnlySpan<T> digits, out ulong value)
        where T : IBinaryInteger<T>
    {
        value = 0;
        if (digits.Length != 16)
        {
            return false;
        }

        foreach (var c in digits)
        {
            var digit = HexDigit(int.CreateTruncating(c));
            if (digit < 0)
            {
                return false;
            }

            value = (value << 4) | (uint)digit;
        }

        return true;
    }

    private static int HexDigit(int c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        _ => -1,
    };

    /// <summary>The span's own attributes, packed into the chunks shared by this query's spans.</summary>
    private AttributeRange ReadPackedAttributes(ref Utf8JsonReader reader)
    {
        var start = _attributes.Count;
        ReadAttributesOnto(ref reader);
        var range = _chunks.Add(CollectionsMarshal.AsSpan(_attributes)[start..]);
        _attributes.RemoveRange(start, _attributes.Count - start);
        return range;
    }

    /// <summary>The exact bytes of the value at the reader (an object), which the reader then leaves behind.</summary>
    private static ReadOnlySpan<byte> RawValue(ref Utf8JsonReader reader, ReadOnlySpan<byte> payload)
    {
        var start = checked((int)reader.TokenStartIndex);
        reader.Skip();
        return payload[start..checked((int)reader.BytesConsumed)];
    }

    private static Resource ParseResource(SpanPayloadDecoder decoder, ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        Expect(ref reader, JsonTokenType.StartObject);
        string? service = null;
        Attribute[] attributes = AttributeValues.Empty;
        for (var property = NextProperty(ref reader); property != End; property = NextProperty(ref reader))
        {
            switch (property)
            {
                case 's': service = decoder.ReadString(ref reader); break;
                case 'a': attributes = decoder.ReadAttributeArray(ref reader); break;
                default: reader.Skip(); break;
            }
        }

        return new Resource(service ?? Resource.UnknownService, attributes);
    }

    private static InstrumentationScope ParseScope(SpanPayloadDecoder decoder, ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        Expect(ref reader, JsonTokenType.StartObject);
        string? name = null;
        string? version = null;
        Attribute[] attributes = AttributeValues.Empty;
        for (var property = NextProperty(ref reader); property != End; property = NextProperty(ref reader))
        {
            switch (property)
            {
                case 'n': name = decoder.ReadString(ref reader); break;
                case 'v': version = decoder.ReadString(ref reader); break;
                case 'a': attributes = decoder.ReadAttributeArray(ref reader); break;
                default: reader.Skip(); break;
            }
        }

        return new InstrumentationScope(name ?? "", version, attributes.Length == 0 ? null : attributes);
    }

    private SpanEvent[] ReadEvents(ref Utf8JsonReader reader)
    {
        var events = new List<SpanEvent>();
        while (NextItem(ref reader))
        {
            string? name = null;
            long time = 0;
            Attribute[] attributes = AttributeValues.Empty;
            for (var property = NextProperty(ref reader); property != End; property = NextProperty(ref reader))
            {
                switch (property)
                {
                    case 'n': name = ReadString(ref reader); break;
                    case 't': time = reader.GetInt64(); break;
                    case 'a': attributes = ReadAttributeArray(ref reader); break;
                    default: reader.Skip(); break;
                }
            }

            events.Add(new SpanEvent(name ?? "", time, attributes));
        }

        return [.. events];
    }

    private SpanLink[] ReadLinks(ref Utf8JsonReader reader)
    {
        var links = new List<SpanLink>();
        while (NextItem(ref reader))
        {
            string? traceId = null;
            string? spanId = null;
            string? kind = null;
            Attribute[] attributes = AttributeValues.Empty;
            for (var property = NextProperty(ref reader); property != End; property = NextProperty(ref reader))
            {
                switch (property)
                {
                    case 't': traceId = ReadString(ref reader); break;
                    case 's': spanId = ReadString(ref reader); break;
                    case 'k': kind = ReadString(ref reader); break;
                    case 'a': attributes = ReadAttributeArray(ref reader); break;
                    default: reader.Skip(); break;
                }
            }

            links.Add(new SpanLink(traceId ?? "", spanId ?? "", attributes, kind));
        }

        return [.. links];
    }

    /// <summary><c>[[key, value], ...]</c> at the reader's StartArray.</summary>
    private Attribute[] ReadAttributeArray(ref Utf8JsonReader reader)
    {
        var start = _attributes.Count;
        ReadAttributesOnto(ref reader);
        return TakeFrom(_attributes, start);
    }

    /// <summary>Pushes the items of <c>[[key, value], ...]</c> at the reader's StartArray onto the scratch stack.</summary>
    private void ReadAttributesOnto(ref Utf8JsonReader reader)
    {
        while (NextItem(ref reader))
        {
            reader.Read();
            var key = ReadString(ref reader) ?? "";
            reader.Read();
            var value = ReadValue(ref reader);
            Expect(ref reader, JsonTokenType.EndArray);
            _attributes.Add(new Attribute(key, value));
        }
    }

    /// <summary>A tagged value (<c>{"s": ...}</c>, <c>{"m": [...]}</c>, ...) or null, at the reader's first token.</summary>
    private object? ReadValue(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.StartObject || !reader.Read() || reader.TokenType != JsonTokenType.PropertyName || reader.ValueSpan.Length != 1)
        {
            throw new JsonException("A stored attribute value is not a tagged object.");
        }

        var tag = reader.ValueSpan[0];
        reader.Read();
        object? value = tag switch
        {
            (byte)'s' => ReadString(ref reader),
            (byte)'b' => reader.GetBoolean() ? True : False,
            (byte)'i' => Box(reader.GetInt64()),
            (byte)'d' => reader.TokenType == JsonTokenType.String
                ? double.Parse(reader.GetString()!, NumberStyles.Float, CultureInfo.InvariantCulture)
                : reader.GetDouble(),
            (byte)'x' => reader.GetBytesFromBase64(),
            (byte)'m' => ReadAttributeArray(ref reader),
            (byte)'a' => ReadArrayValue(ref reader),
            _ => throw new JsonException($"Unknown attribute value tag '{(char)tag}' in a stored span."),
        };
        Expect(ref reader, JsonTokenType.EndObject);
        return value;
    }

    /// <summary>An integer value's box, shared between equal values of one query (codes, ports and counts repeat).</summary>
    private object Box(long value)
    {
        if (_boxes.TryGetValue(value, out var box))
        {
            return box;
        }

        box = value;
        if (_boxes.Count < MaxBoxes)
        {
            _boxes[value] = box;
        }

        return box;
    }

    private object?[] ReadArrayValue(ref Utf8JsonReader reader)
    {
        var start = _values.Count;
        while (NextItem(ref reader))
        {
            _values.Add(ReadValue(ref reader));
        }

        return TakeFrom(_values, start);
    }

    private string? ReadString(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        // UTF-8 never takes fewer bytes than UTF-16 chars, so a short byte length bounds the char length.
        var length = reader.HasValueSequence ? reader.ValueSequence.Length : reader.ValueSpan.Length;
        if (length > MaxPooledChars)
        {
            return reader.GetString();
        }

        Span<char> chars = stackalloc char[MaxPooledChars];
        var written = reader.CopyString(chars);
        return Pool(chars[..written]);
    }

    private string Pool(ReadOnlySpan<char> value)
    {
        if (_stringLookup.TryGetValue(value, out var pooled))
        {
            return pooled;
        }

        var s = value.ToString();
        _strings.Add(s);
        return s;
    }

    private string Pool(string value)
    {
        if (value.Length > MaxPooledChars)
        {
            return value;
        }

        if (_strings.TryGetValue(value, out var pooled))
        {
            return pooled;
        }

        _strings.Add(value);
        return value;
    }

    private static T[] TakeFrom<T>(List<T> stack, int start)
    {
        var count = stack.Count - start;
        if (count == 0)
        {
            return [];
        }

        var items = new T[count];
        stack.CopyTo(start, items, 0, count);
        stack.RemoveRange(start, count);
        return items;
    }

    /// <summary>
    /// Moves to the value of the next property of the current object and returns the property's name packed into an int
    /// (the codec's names are one or two ASCII letters, so <c>'r'</c> or <see cref="Status"/>); <see cref="End"/> at the
    /// end of the object.
    /// </summary>
    private static int NextProperty(ref Utf8JsonReader reader)
    {
        if (!reader.Read())
        {
            throw new JsonException("A stored span payload ended early.");
        }

        if (reader.TokenType == JsonTokenType.EndObject)
        {
            return End;
        }

        if (reader.TokenType != JsonTokenType.PropertyName)
        {
            throw new JsonException($"Expected a property in a stored span payload, found {reader.TokenType}.");
        }

        var name = reader.ValueSpan;
        var packed = name.Length switch
        {
            1 => name[0],
            2 => name[0] | (name[1] << 8),
            _ => Unknown,
        };
        reader.Read();
        return packed;
    }

    /// <summary>
    /// Moves to the first token of the next item of an array, from its StartArray or from the last token of the item
    /// before; false at its end.
    /// </summary>
    private static bool NextItem(ref Utf8JsonReader reader)
    {
        if (!reader.Read())
        {
            throw new JsonException("A stored span payload ended early.");
        }

        return reader.TokenType != JsonTokenType.EndArray;
    }

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType type)
    {
        if (!reader.Read() || reader.TokenType != type)
        {
            throw new JsonException($"Expected {type} in a stored span payload.");
        }
    }

    /// <summary>One stored span record, its variable-length parts views of the chunk (<see cref="ReadRecord"/>).</summary>
    private readonly ref struct SpanRecord(
        SpanChunkCodec.SpanFlags flags, ReadOnlySpan<byte> id, ReadOnlySpan<byte> parent, ReadOnlySpan<byte> name, long start, long end, int resource, int scope, ReadOnlySpan<byte> details)
    {
        public SpanChunkCodec.SpanFlags Flags { get; } = flags;

        public ReadOnlySpan<byte> Id { get; } = id;

        public ReadOnlySpan<byte> Parent { get; } = parent;

        public ReadOnlySpan<byte> Name { get; } = name;

        public long Start { get; } = start;

        public long End { get; } = end;

        public int Resource { get; } = resource;

        public int Scope { get; } = scope;

        public ReadOnlySpan<byte> Details { get; } = details;
    }

    /// <summary>A chunk's resources and scopes (index 0: none), and its span records' offset and number.</summary>
    internal sealed record ChunkHeader(Resource[] Resources, InstrumentationScope[] Scopes, int SpansStart, int SpanCount);

    /// <summary>
    /// The resources and scopes of one read, each distinct stored form built once and shared by reference by every span
    /// that names it, also when several decoders decode the read's chunks at once (so lookups take a lock; a chunk looks
    /// up only its few distinct ones).
    /// </summary>
    internal sealed class SharedObjects
    {
        private readonly Lock _lock = new();
        private readonly Dictionary<byte[], Resource>.AlternateLookup<ReadOnlySpan<byte>> _resources =
            new Dictionary<byte[], Resource>(RawJsonComparer.Instance).GetAlternateLookup<ReadOnlySpan<byte>>();

        private readonly Dictionary<byte[], InstrumentationScope>.AlternateLookup<ReadOnlySpan<byte>> _scopes =
            new Dictionary<byte[], InstrumentationScope>(RawJsonComparer.Instance).GetAlternateLookup<ReadOnlySpan<byte>>();

        /// <summary>The resource stored as <paramref name="json"/>, parsed by <paramref name="decoder"/> the first time it is met.</summary>
        public Resource Resource(SpanPayloadDecoder decoder, ReadOnlySpan<byte> json)
        {
            lock (_lock)
            {
                if (!_resources.TryGetValue(json, out var resource))
                {
                    _resources[json] = resource = ParseResource(decoder, json);
                }

                return resource;
            }
        }

        /// <summary>The scope stored as <paramref name="json"/>, parsed by <paramref name="decoder"/> the first time it is met.</summary>
        public InstrumentationScope Scope(SpanPayloadDecoder decoder, ReadOnlySpan<byte> json)
        {
            lock (_lock)
            {
                if (!_scopes.TryGetValue(json, out var scope))
                {
                    _scopes[json] = scope = ParseScope(decoder, json);
                }

                return scope;
            }
        }
    }

    /// <summary>Compares resources and scopes by their exact stored bytes, so a repeated one is recognised without decoding it.</summary>
    private sealed class RawJsonComparer : IEqualityComparer<byte[]>, IAlternateEqualityComparer<ReadOnlySpan<byte>, byte[]>
    {
        public static readonly RawJsonComparer Instance = new();

        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(byte[] obj) => GetHashCode((ReadOnlySpan<byte>)obj);

        public bool Equals(ReadOnlySpan<byte> alternate, byte[] other) => alternate.SequenceEqual(other);

        public int GetHashCode(ReadOnlySpan<byte> alternate)
        {
            var hash = new HashCode();
            hash.AddBytes(alternate);
            return hash.ToHashCode();
        }

        public byte[] Create(ReadOnlySpan<byte> alternate) => alternate.ToArray();
    }
}
