using System.Buffers.Text;
using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text.Json;
using OpsAssistant.Core.Model;

namespace OpsAssistant.Core.Formats;

/// <summary>
/// State and token helpers shared by the JSON wire-format readers. Every helper validates the token type and throws a
/// <see cref="TraceFormatException"/> that names the field, so a wrong-typed document gets a message, not a crash.
/// </summary>
internal sealed class JsonParseContext(TraceReadOptions options)
{
    private bool _truncationWarned;
    private bool _timestampWarned;

    public TraceReadOptions Options { get; } = options;

    public StringPool Pool { get; } = new();

    public List<Span> Spans { get; } = [];

    public List<string> Warnings { get; } = [];

    /// <summary>
    /// A reusable list for collecting one attribute array at a time (one List per span was garbage). Taken
    /// with <see cref="RentAttributeList"/> and handed back with <see cref="ReturnAttributeList"/>; a nested reader that
    /// finds it taken simply gets a fresh list.
    /// </summary>
    private List<Model.Attribute>? _attributeScratch = new(8);

    private string? _lastInternedId;
    private byte[] _lastInternedIdUtf8 = [];

    /// <summary>Boxed integer attribute values already handed out: ports, counts and codes repeat on every span.</summary>
    private readonly Dictionary<long, object> _boxes = [];

    /// <summary>
    /// The boxed form of an integer attribute value, shared between equal values (one box per attribute
    /// per span was garbage kept alive by the model). Capped, so a trace of unique numbers costs no more than before.
    /// </summary>
    public object Box(long value)
    {
        if (_boxes.TryGetValue(value, out var box))
        {
            return box;
        }

        box = value;
        if (_boxes.Count < 4096)
        {
            _boxes[value] = box;
        }

        return box;
    }

    public List<Model.Attribute> RentAttributeList()
    {
        var list = _attributeScratch ?? new List<Model.Attribute>(8);
        _attributeScratch = null;
        return list;
    }

    public void ReturnAttributeList(List<Model.Attribute> list)
    {
        list.Clear();
        _attributeScratch = list;
    }

    /// <summary>One shared Resource per service name, for formats that name the service on every span (Zipkin).</summary>
    public ResourceCache Resources { get; } = new();

    public void AddSpan(Span span)
    {
        EnsureRoomFor(1);
        if (Spans.Count == 0)
        {
            _firstTraceId = span.TraceId;
        }
        else if (_oneTraceId && !ReferenceEquals(span.TraceId, _firstTraceId) && !string.Equals(span.TraceId, _firstTraceId, StringComparison.Ordinal))
        {
            _oneTraceId = false;
        }

        NoteOwnId(span);
        Spans.Add(span);
    }

    /// <summary>
    /// True when at least one span was read and all carry the same trace ID: checked as each span is added, while it is in
    /// cache, rather than by a second pass over every span object when grouping.
    /// </summary>
    public bool OneTraceId => Spans.Count > 0 && _oneTraceId;

    private string? _firstTraceId;
    private bool _oneTraceId = true;

    /// <summary>
    /// True when every span carries its own ID by value and no two spans carry the same one, so grouping need not look for
    /// repeats (a 100k-entry string dictionary per read). Checked once, when grouping asks, through a pooled
    /// table over the values collected as spans were added; spans with IDs in any other form make it false.
    /// </summary>
    public bool SpanIdsKnownDistinct()
    {
        var n = Spans.Count;
        if (_ownIds is null || _ownIdCount != n)
        {
            return false;
        }

        // The table returns the array to the pool; it is this context's last use of it.
        var keys = _ownIds;
        _ownIds = null;
        using var table = new SpanIdTable(keys, n);
        for (var i = 0; i < n; i++)
        {
            if (!table.TryAdd(i))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Own span IDs by value, in span order, while every span added has given one (pooled; null once one has not).</summary>
    private ulong[]? _ownIds = ArrayPool<ulong>.Shared.Rent(16);
    private int _ownIdCount;

    private void NoteOwnId(Span span)
    {
        if (_ownIds is null)
        {
            return;
        }

        if (!span.TryGetSpanIdNumber(out var id) || _ownIdCount != Spans.Count)
        {
            ArrayPool<ulong>.Shared.Return(_ownIds);
            _ownIds = null;
            return;
        }

        if (_ownIdCount == _ownIds.Length)
        {
            var larger = ArrayPool<ulong>.Shared.Rent(_ownIds.Length * 2);
            _ownIds.AsSpan(0, _ownIdCount).CopyTo(larger);
            ArrayPool<ulong>.Shared.Return(_ownIds);
            _ownIds = larger;
        }

        _ownIds[_ownIdCount++] = id;
    }

    /// <summary>
    /// Sizes the tables for a document of <paramref name="byteLength"/> bytes. An OTLP/JSON span takes 300 bytes or more, so
    /// the estimate is rarely short (growing copies every table, garbage a trace of 100k spans would make in megabytes) and
    /// costs at most a few percent of the input's size when long.
    /// </summary>
    public void ExpectBytes(int byteLength)
    {
        var spans = Math.Min(byteLength / 256, Math.Min(Options.MaxSpans, 1 << 20));
        Spans.EnsureCapacity(spans);
        if (_ownIds is not null && _ownIdCount == 0 && _ownIds.Length < spans)
        {
            ArrayPool<ulong>.Shared.Return(_ownIds);
            _ownIds = ArrayPool<ulong>.Shared.Rent(spans);
        }
    }

    /// <summary>Where the OTLP reader packs span attributes, many spans to an array.</summary>
    public AttributeChunks AttributeChunks { get; } = new();

    /// <summary>The draft the OTLP reader fills for every span in turn.</summary>
    public SpanDraft Draft { get; } = new();

    /// <summary>Gives the spans from index <paramref name="first"/> on a resource or scope that was read after them.</summary>
    public void Rehome(int first, Resource? resource, InstrumentationScope? scope)
    {
        for (var i = first; i < Spans.Count; i++)
        {
            var span = Spans[i];
            Spans[i] = span.WithOrigin(resource ?? span.Resource, scope ?? span.Scope);
        }
    }

    private static readonly SearchValues<byte> LowerHexUtf8 = SearchValues.Create("0123456789abcdef"u8);

    /// <summary>
    /// Reads a span or parent span ID. The canonical form (16 lower-case hex digits, what OTLP/JSON exporters write) is
    /// decoded to its value in <paramref name="number"/> and no string is made: the span makes one only if asked.
    /// Any other form is returned as text for the general decoding, with <paramref name="number"/> null.
    /// </summary>
    public string? ReadSpanId(ref Utf8JsonReader reader, string field, out ulong? number)
    {
        Read(ref reader);
        if (reader.TokenType == JsonTokenType.String && !reader.HasValueSequence && !reader.ValueIsEscaped)
        {
            var utf8 = reader.ValueSpan;
            if (utf8.Length == 16 && !utf8.ContainsAnyExcept(LowerHexUtf8) && Utf8Parser.TryParse(utf8, out ulong value, out _, 'x'))
            {
                number = value;
                return null;
            }
        }

        number = null;
        return ReadIdToken(ref reader, field, intern: false);
    }

    /// <summary>Fails as soon as spans read but not yet added would pass the limit, before they cost more memory.</summary>
    public void EnsureRoomFor(int pending)
    {
        if (Spans.Count + pending > Options.MaxSpans)
        {
            throw new TraceFormatException($"The input holds more than {Options.MaxSpans:N0} spans, the configured maximum (TraceReadOptions.MaxSpans).");
        }
    }

    public static void Read(ref Utf8JsonReader reader)
    {
        if (!reader.Read())
        {
            throw new TraceFormatException($"Truncated JSON: the document ends at byte {reader.BytesConsumed}.");
        }
    }

    public static void Expect(ref Utf8JsonReader reader, JsonTokenType type, string field)
    {
        Read(ref reader);
        if (reader.TokenType != type)
        {
            throw WrongType(ref reader, field, type);
        }
    }

    /// <summary>Reads the next token as the start of an array, or returns false for null.</summary>
    public static bool StartArray(ref Utf8JsonReader reader, string field)
    {
        Read(ref reader);
        return reader.TokenType switch
        {
            JsonTokenType.StartArray => true,
            JsonTokenType.Null => false,
            _ => throw WrongType(ref reader, field, JsonTokenType.StartArray),
        };
    }

    public static bool StartObject(ref Utf8JsonReader reader, string field)
    {
        Read(ref reader);
        return reader.TokenType switch
        {
            JsonTokenType.StartObject => true,
            JsonTokenType.Null => false,
            _ => throw WrongType(ref reader, field, JsonTokenType.StartObject),
        };
    }

    /// <summary>Advances to the next property name of the current object; false at its end.</summary>
    public static bool NextProperty(ref Utf8JsonReader reader)
    {
        Read(ref reader);
        return reader.TokenType == JsonTokenType.PropertyName;
    }

    /// <summary>Advances to the next element of the current array; false at its end.</summary>
    public static bool NextElement(ref Utf8JsonReader reader)
    {
        Read(ref reader);
        return reader.TokenType != JsonTokenType.EndArray;
    }

    public static void SkipValue(ref Utf8JsonReader reader)
    {
        Read(ref reader);
        reader.Skip();
    }

    public string? ReadString(ref Utf8JsonReader reader, string field)
    {
        Read(ref reader);
        return ReadCurrentString(ref reader, field);
    }

    /// <summary>
    /// Reads an ID without interning it: span IDs are unique, so a pool entry per span would only cost time and memory;
    /// trace IDs repeat on every span, so they are interned.
    /// </summary>
    public string? ReadId(ref Utf8JsonReader reader, string field, bool intern)
    {
        Read(ref reader);
        return ReadIdToken(ref reader, field, intern);
    }

    private string? ReadIdToken(ref Utf8JsonReader reader, string field, bool intern)
    {

        // the interned ID (the trace ID) is the same on every span of a trace, so the last one read is
        // kept with its bytes and returned again after a byte comparison, skipping the transcoding and the pool lookup.
        if (intern && reader.TokenType == JsonTokenType.String && !reader.HasValueSequence && !reader.ValueIsEscaped
            && _lastInternedId is not null && reader.ValueSpan.SequenceEqual(_lastInternedIdUtf8))
        {
            return _lastInternedId;
        }

        if (intern && reader.TokenType == JsonTokenType.String && !reader.HasValueSequence && !reader.ValueIsEscaped && reader.ValueSpan.Length <= 64)
        {
            _lastInternedIdUtf8 = reader.ValueSpan.ToArray();
            return _lastInternedId = Pool.Read(ref reader, 256, out _);
        }

        return reader.TokenType switch
        {
            JsonTokenType.String when intern => Pool.Read(ref reader, 256, out _),
            JsonTokenType.String when reader.ValueSpan.Length <= 64 && !reader.ValueIsEscaped => System.Text.Encoding.UTF8.GetString(reader.ValueSpan),
            _ => ReadCurrentString(ref reader, field),
        };
    }

    public string? ReadCurrentString(ref Utf8JsonReader reader, string field)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                var value = Pool.Read(ref reader, Options.MaxAttributeValueLength, out var truncated);
                if (truncated && !_truncationWarned)
                {
                    _truncationWarned = true;
                    Warnings.Add($"String values longer than {Options.MaxAttributeValueLength:N0} characters were truncated (first in '{field}').");
                }

                return value;
            case JsonTokenType.Number:
                return Encoding.GetString(reader.ValueSpan);
            case JsonTokenType.True:
                return "true";
            case JsonTokenType.False:
                return "false";
            case JsonTokenType.Null:
                return null;
            default:
                throw WrongType(ref reader, field, JsonTokenType.String);
        }
    }

    /// <summary>Reads an integer given as a JSON number or a decimal string (OTLP/JSON writes 64-bit integers as strings).</summary>
    public long? ReadInt64(ref Utf8JsonReader reader, string field)
    {
        Read(ref reader);
        return ReadCurrentInt64(ref reader, field);
    }

    public long? ReadCurrentInt64(ref Utf8JsonReader reader, string field)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Number:
                if (reader.TryGetInt64(out var l))
                {
                    return l;
                }

                if (reader.TryGetUInt64(out var ul))
                {
                    return ClampWarn(field, long.MaxValue, ul.ToString(CultureInfo.InvariantCulture));
                }

                var d = reader.GetDouble();
                return double.IsFinite(d) && d is > long.MinValue and < long.MaxValue ? (long)d : ClampWarn(field, d < 0 ? 0 : long.MaxValue, d.ToString(CultureInfo.InvariantCulture));
            case JsonTokenType.String:
                // Fast path: OTLP/JSON writes every nanosecond timestamp as a decimal string. Parsing the
                // UTF-8 bytes in place avoids a string per timestamp, which went through the intern table (two unique
                // entries per span). Only a clean, complete parse takes this path; anything else (whitespace, overflow,
                // escapes, garbage) falls through to the string path below, so results and warnings are unchanged.
                if (!reader.HasValueSequence && !reader.ValueIsEscaped
                    && Utf8Parser.TryParse(reader.ValueSpan, out long fast, out var consumed) && consumed == reader.ValueSpan.Length)
                {
                    return fast;
                }

                var text = ReadCurrentString(ref reader, field) ?? "";
                if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed))
                {
                    return parsed;
                }

                if (ulong.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out _))
                {
                    return ClampWarn(field, long.MaxValue, text);
                }

                if (text.Length == 0)
                {
                    return null;
                }

                // One exporter's garbage in one timestamp ("NaN", 10^23) must not cost the whole trace: too large a
                // number is clamped, anything else counts as absent, and both leave a warning for the operator.
                var digits = text.StartsWith('-') ? text.AsSpan(1) : text.AsSpan();
                if (!digits.IsEmpty && digits.IndexOfAnyExceptInRange('0', '9') < 0)
                {
                    return ClampWarn(field, text.StartsWith('-') ? 0 : long.MaxValue, text);
                }

                WarnTimestamp($"'{field}' value \"{Shorten(text)}\" (at byte {reader.TokenStartIndex}) is not an integer; treated as missing");
                return null;
            case JsonTokenType.Null:
                return null;
            default:
                throw WrongType(ref reader, field, JsonTokenType.Number);
        }
    }

    public double? ReadDouble(ref Utf8JsonReader reader, string field)
    {
        Read(ref reader);
        switch (reader.TokenType)
        {
            case JsonTokenType.Number:
                return reader.GetDouble();
            case JsonTokenType.String:
                var text = ReadCurrentString(ref reader, field) ?? "";
                return text switch
                {
                    "NaN" => double.NaN,
                    "Infinity" => double.PositiveInfinity,
                    "-Infinity" => double.NegativeInfinity,
                    _ when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
                    _ => throw new TraceFormatException($"'{field}' must be a number, but is \"{Shorten(text)}\"."),
                };
            case JsonTokenType.Null:
                return null;
            default:
                throw WrongType(ref reader, field, JsonTokenType.Number);
        }
    }

    public static bool? ReadBool(ref Utf8JsonReader reader, string field)
    {
        Read(ref reader);
        return reader.TokenType switch
        {
            JsonTokenType.True => true,
            JsonTokenType.False => false,
            JsonTokenType.Null => null,
            JsonTokenType.String => bool.TryParse(reader.GetString(), out var b) ? b : throw new TraceFormatException($"'{field}' must be true or false."),
            _ => throw WrongType(ref reader, field, JsonTokenType.True),
        };
    }

    /// <summary>Repairs a span's time window: negative or overflowing stamps are clamped, an end before the start becomes the start.</summary>
    /// <param name="spanId">The span's ID for warnings, or null when it is <paramref name="spanIdNumber"/>.</param>
    public (long Start, long End) Window(long? start, long? end, string? spanId, ulong spanIdNumber)
    {
        var s = start ?? 0;
        var e = end ?? s;
        if (s < 0 || e < 0)
        {
            WarnTimestamp($"span {spanId ?? TraceIds.SpanIdHex(spanIdNumber)} has a negative timestamp; clamped to 0");
            s = Math.Max(0, s);
            e = Math.Max(0, e);
        }

        if (e < s)
        {
            WarnTimestamp($"span {spanId ?? TraceIds.SpanIdHex(spanIdNumber)} ends before it starts; its duration was set to 0");
            e = s;
        }

        return (s, e);
    }

    public static TraceFormatException WrongType(ref Utf8JsonReader reader, string field, JsonTokenType expected) =>
        new($"'{field}' must be {Describe(expected)}, but is {Describe(reader.TokenType)} (at byte {reader.TokenStartIndex}).");

    private static string Describe(JsonTokenType type) => type switch
    {
        JsonTokenType.StartArray => "an array",
        JsonTokenType.StartObject => "an object",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => type.ToString(),
    };

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";

    private static readonly System.Text.UTF8Encoding Encoding = new(false);

    private long ClampWarn(string field, long clamped, string original)
    {
        WarnTimestamp($"'{field}' value {Shorten(original)} is out of range; clamped");
        return clamped;
    }

    private void WarnTimestamp(string message)
    {
        if (!_timestampWarned)
        {
            _timestampWarned = true;
            Warnings.Add("Invalid timestamps were repaired: " + message + " (further cases not listed).");
        }
    }
}
