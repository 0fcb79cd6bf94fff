using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Text;
using System.Text.Json;
using OpsAssistant.Core.Model;

namespace OpsAssistant.Core.Formats;

/// <summary>State shared by the format parsers during one read: options, string pool, trace grouping, and JSON helpers.</summary>
internal sealed class ReadContext
{
    // Strings up to this many UTF-8 bytes are decoded on the stack and interned; longer ones are rarely repeated.
    private const int PooledMaxBytes = 128;

    public ReadContext(TraceReadOptions options)
    {
        Options = options;
        Collector = new TraceCollector(this);
    }

    public TraceReadOptions Options { get; }

    public StringPool Pool { get; } = new();

    public TraceCollector Collector { get; }

    /// <summary>The format name used in error messages; "JSON" until the format is known.</summary>
    public string FormatName { get; set; } = "JSON";

    public TraceFormatException Error(string what, long byteOffset, string? path) =>
        new($"{FormatName}: {what}{(path is null ? "" : " at " + path)} (byte offset {byteOffset.ToString(CultureInfo.InvariantCulture)})")
        {
            ByteOffset = byteOffset,
            JsonPath = path,
        };

    public TraceFormatException TypeError(ref Utf8JsonReader r, string expected, IJsonLocation where, string? field) =>
        Error($"expected {expected} but found {Describe(r.TokenType)}", r.TokenStartIndex, where.PathOf(field));

    public static string Describe(JsonTokenType type) => type switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => type.ToString(),
    };

    public void ExpectObject(ref Utf8JsonReader r, IJsonLocation where, string? field)
    {
        if (r.TokenType != JsonTokenType.StartObject)
        {
            throw TypeError(ref r, "an object", where, field);
        }
    }

    /// <summary>True when positioned on an array's start; false for null (treated as empty); throws for anything else.</summary>
    public bool BeginArray(ref Utf8JsonReader r, IJsonLocation where, string? field)
    {
        if (r.TokenType == JsonTokenType.StartArray)
        {
            return true;
        }

        if (r.TokenType == JsonTokenType.Null)
        {
            return false;
        }

        throw TypeError(ref r, "an array", where, field);
    }

    /// <summary>True when positioned on an object's start; false for null; throws for anything else.</summary>
    public bool BeginObject(ref Utf8JsonReader r, IJsonLocation where, string? field)
    {
        if (r.TokenType == JsonTokenType.StartObject)
        {
            return true;
        }

        if (r.TokenType == JsonTokenType.Null)
        {
            return false;
        }

        throw TypeError(ref r, "an object", where, field);
    }

    /// <summary>Reads a short, likely repeated string (name, key, service) through the pool. Null gives "".</summary>
    public string ReadName(ref Utf8JsonReader r, IJsonLocation where, string field)
    {
        switch (r.TokenType)
        {
            case JsonTokenType.String:
            case JsonTokenType.PropertyName:
                return ReadPooled(ref r);
            case JsonTokenType.Null:
                return string.Empty;
            case JsonTokenType.Number:
            case JsonTokenType.True:
            case JsonTokenType.False:
                // A number where a name belongs is odd but harmless: keep its text.
                return Pool.Intern(RawText(ref r));
            default:
                throw TypeError(ref r, "a string", where, field);
        }
    }

    public string? ReadOptionalName(ref Utf8JsonReader r, IJsonLocation where, string field) =>
        r.TokenType == JsonTokenType.Null ? null : ReadName(ref r, where, field);

    /// <summary>The token's raw UTF-8 text (for numbers and literals in messages and lenient fallbacks).</summary>
    public static string RawText(ref Utf8JsonReader r) =>
        r.HasValueSequence ? EncodingExtensions.GetString(Encoding.UTF8, r.ValueSequence) : Encoding.UTF8.GetString(r.ValueSpan);

    public string ReadPooled(ref Utf8JsonReader r)
    {
        var length = r.HasValueSequence ? r.ValueSequence.Length : r.ValueSpan.Length;
        if (length <= PooledMaxBytes)
        {
            // Unescaped UTF-8 never decodes to more UTF-16 chars than it has bytes, and escapes only shrink it.
            Span<char> buffer = stackalloc char[PooledMaxBytes];
            var written = r.CopyString(buffer);
            return Pool.Intern(buffer[..written]);
        }

        return r.GetString() ?? string.Empty;
    }

    /// <summary>
    /// Reads an attribute's string value, cutting it to <see cref="TraceReadOptions.MaxAttributeValueLength"/> characters.
    /// An unescaped long value is decoded only up to the limit, so a 50 MB value never becomes a 50 MB string.
    /// </summary>
    public string ReadValueString(ref Utf8JsonReader r, out int originalLength)
    {
        originalLength = -1;
        var byteLength = r.HasValueSequence ? r.ValueSequence.Length : r.ValueSpan.Length;
        if (byteLength <= 32)
        {
            return ReadPooled(ref r);
        }

        var max = Options.MaxAttributeValueLength;
        if (byteLength <= max)
        {
            return r.GetString() ?? string.Empty;
        }

        if (!r.ValueIsEscaped)
        {
            if (r.HasValueSequence)
            {
                var sequence = r.ValueSequence;
                var charCount = CountChars(sequence);
                if (charCount <= max)
                {
                    return EncodingExtensions.GetString(Encoding.UTF8, sequence);
                }

                originalLength = (int)Math.Min(charCount, int.MaxValue);
                var decoder = Encoding.UTF8.GetDecoder();
                var chars = ArrayPool<char>.Shared.Rent(max + 4);
                try
                {
                    var written = 0;
                    foreach (var segment in sequence)
                    {
                        written = DecodeInto(decoder, segment.Span, chars, written, max);
                        if (written >= max)
                        {
                            break;
                        }
                    }

                    return Truncated(chars.AsSpan(0, Math.Min(written, max)), originalLength);
                }
                finally
                {
                    ArrayPool<char>.Shared.Return(chars);
                }
            }
            else
            {
                var span = r.ValueSpan;
                var charCount = Encoding.UTF8.GetCharCount(span);
                if (charCount <= max)
                {
                    return Encoding.UTF8.GetString(span);
                }

                originalLength = charCount;
                var chars = ArrayPool<char>.Shared.Rent(max + 4);
                try
                {
                    var written = DecodeInto(Encoding.UTF8.GetDecoder(), span, chars, 0, max);
                    return Truncated(chars.AsSpan(0, Math.Min(written, max)), originalLength);
                }
                finally
                {
                    ArrayPool<char>.Shared.Return(chars);
                }
            }
        }

        var full = r.GetString() ?? string.Empty;
        if (full.Length <= max)
        {
            return full;
        }

        originalLength = full.Length;
        return Truncated(full.AsSpan(0, max), originalLength);
    }

    /// <summary>Reads a timestamp or duration (string or number; integer or float). Returns false with a reason when unusable.</summary>
    public static bool TryReadInt64(ref Utf8JsonReader r, out long value, out string? problem)
    {
        value = 0;
        problem = null;
        switch (r.TokenType)
        {
            case JsonTokenType.Null:
                problem = "missing";
                return false;
            case JsonTokenType.Number:
                if (r.TryGetInt64(out value))
                {
                    return true;
                }

                if (r.TryGetDouble(out var d) && double.IsFinite(d))
                {
                    return FromDouble(d, out value, out problem);
                }

                problem = "overflows a 64-bit integer";
                return false;
            case JsonTokenType.String:
                Span<char> buffer = stackalloc char[64];
                var length = r.HasValueSequence ? r.ValueSequence.Length : r.ValueSpan.Length;
                if (length > 64)
                {
                    problem = "is not a number";
                    return false;
                }

                var text = buffer[..r.CopyString(buffer)].Trim();
                if (text.IsEmpty)
                {
                    problem = "missing";
                    return false;
                }

                if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value))
                {
                    return true;
                }

                if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) && double.IsFinite(parsed))
                {
                    return FromDouble(parsed, out value, out problem);
                }

                var digits = text[0] == '-' ? text[1..] : text;
                problem = !digits.IsEmpty && digits.IndexOfAnyExceptInRange('0', '9') < 0
                    ? "overflows a 64-bit integer"
                    : $"is not a number ('{text.ToString()}')";
                return false;
            default:
                problem = "is " + Describe(r.TokenType) + ", not a number";
                return false;
        }
    }

    /// <summary>
    /// Reads a trace or span ID in hex (any case, short IDs left-padded) or base64. Returns false when the value is
    /// present but neither; <paramref name="id"/> is null for an empty or absent ID and for the all-zero ID
    /// (which every format uses to mean "none").
    /// </summary>
    public static bool TryReadId(ref Utf8JsonReader r, int byteLength, out string? id)
    {
        id = null;
        if (r.TokenType == JsonTokenType.Null)
        {
            return true;
        }

        if (r.TokenType != JsonTokenType.String)
        {
            return false;
        }

        var length = r.HasValueSequence ? r.ValueSequence.Length : r.ValueSpan.Length;
        if (length > 96)
        {
            return false;
        }

        Span<char> buffer = stackalloc char[96];
        var text = buffer[..r.CopyString(buffer)].Trim();
        return TryNormalizeId(text, byteLength, out id);
    }

    public static bool TryNormalizeId(ReadOnlySpan<char> text, int byteLength, out string? id)
    {
        id = null;
        if (text.IsEmpty)
        {
            return true;
        }

        var hexLength = byteLength * 2;
        if (text.Length <= hexLength && TraceIds.IsHex(text))
        {
            // The common case, done without the intermediate strings TraceIds.DecodeId would allocate.
            var padded = string.Create(hexLength, text.ToString(), static (dest, src) =>
            {
                var pad = dest.Length - src.Length;
                dest[..pad].Fill('0');
                for (var i = 0; i < src.Length; i++)
                {
                    dest[pad + i] = char.ToLowerInvariant(src[i]);
                }
            });
            id = IsAllZero(padded) ? null : padded;
            return true;
        }

        var decoded = TraceIds.DecodeId(text.ToString(), byteLength);
        if (decoded is null)
        {
            return false;
        }

        id = IsAllZero(decoded) ? null : decoded;
        return true;
    }

    private static bool IsAllZero(string hex) => hex.AsSpan().IndexOfAnyExcept('0') < 0;

    private static bool FromDouble(double d, out long value, out string? problem)
    {
        problem = null;
        value = 0;
        if (d >= 9.2233720368547758E18 || d < -9.2233720368547758E18)
        {
            problem = "overflows a 64-bit integer";
            return false;
        }

        value = (long)d;
        return true;
    }

    /// <summary>The marker appended to a cut value, so nobody mistakes it for the whole value.</summary>
    public static string Truncated(ReadOnlySpan<char> kept, int originalLength) =>
        string.Concat(kept, $"…[truncated from {originalLength.ToString(CultureInfo.InvariantCulture)} chars]");

    private static long CountChars(ReadOnlySequence<byte> sequence)
    {
        // A decoder carries a character split across two chunks over to the next call.
        var decoder = Encoding.UTF8.GetDecoder();
        long count = 0;
        foreach (var segment in sequence)
        {
            count += decoder.GetCharCount(segment.Span, flush: false);
        }

        return count + decoder.GetCharCount([], flush: true);
    }

    private static int DecodeInto(Decoder decoder, ReadOnlySpan<byte> source, char[] chars, int written, int maxChars)
    {
        while (!source.IsEmpty && written < maxChars)
        {
            // Never feed more bytes than there are chars left: n bytes decode to at most n chars (plus one pending).
            var take = Math.Min(source.Length, maxChars - written);
            written += decoder.GetChars(source[..take], chars.AsSpan(written), flush: false);
            source = source[take..];
        }

        return written;
    }
}
