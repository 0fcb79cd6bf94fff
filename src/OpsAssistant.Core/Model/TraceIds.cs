using System.Buffers;
using System.Buffers.Text;

namespace OpsAssistant.Core.Model;

/// <summary>Validation and normalisation of trace and span IDs across formats (hex of any case, base64, short Zipkin IDs).</summary>
public static class TraceIds
{
    private static readonly SearchValues<char> LowerHexDigits = SearchValues.Create("0123456789abcdef");

    /// <summary>True when <paramref name="value"/> is a 16- or 32-character hex trace ID (the forms operators paste).</summary>
    public static bool IsValidTraceId(string? value) =>
        value is { Length: 16 or 32 } && IsHex(value);

    public static bool IsValidSpanId(string? value) => value is { Length: 16 } && IsHex(value);

    /// <summary>Normalises a user-supplied trace ID: lower case, 64-bit IDs left-padded to 128 bits.</summary>
    public static string NormalizeTraceId(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var lower = value.Trim().ToLowerInvariant();
        return lower.Length == 16 ? new string('0', 16) + lower : lower;
    }

    /// <summary>True when two trace IDs name the same trace (64-bit IDs equal the low half of a 128-bit ID).</summary>
    public static bool SameTrace(string a, string b) =>
        string.Equals(NormalizeTraceId(a), NormalizeTraceId(b), StringComparison.Ordinal);

    public static bool IsHex(ReadOnlySpan<char> value)
    {
        foreach (var c in value)
        {
            if (!char.IsAsciiHexDigit(c))
            {
                return false;
            }
        }

        return value.Length > 0;
    }

    private static bool IsLowerHex(string value)
    {
        foreach (var c in value)
        {
            if (c is >= 'A' and <= 'F')
            {
                return false;
            }
        }

        return true;
    }

    public static string ToHex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);

    /// <summary>A span ID held as its 64-bit value, in the model's form: 16 lower-case hex digits.</summary>
    public static string SpanIdHex(ulong value) => value.ToString("x16", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// Reads an ID that may be hex (OTLP/JSON spec) or base64 (Tempo and protobuf-JSON marshalling) and returns lower-case hex.
    /// <paramref name="byteLength"/> is 16 for trace IDs and 8 for span IDs. Returns null when the value is neither.
    /// </summary>
    public static string? DecodeId(string? value, int byteLength)
    {
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        // Fast path: a full-length lower-case hex ID, the usual case, is returned as it is after one
        // vectorised scan; it is exactly what the checks below would return for it.
        if (value.Length == byteLength * 2 && !value.AsSpan().ContainsAnyExcept(LowerHexDigits))
        {
            return value;
        }

        // Hex wins over base64: a 32-char hex string is also valid base64, but no OTLP base64 ID is all hex digits of that length.
        if (IsHex(value) && value.Length <= byteLength * 2)
        {
            // Most IDs arrive lower-case and full length: return them as they are, without a copy per span.
            var lower = IsLowerHex(value) ? value : value.ToLowerInvariant();
            return lower.Length < byteLength * 2 ? lower.PadLeft(byteLength * 2, '0') : lower;
        }

        Span<byte> buffer = stackalloc byte[64];
        if (value.Length <= 88 && Base64.IsValid(value) && Convert.TryFromBase64String(value, buffer, out var written) && written > 0 && written <= byteLength)
        {
            var hex = ToHex(buffer[..written]);
            return hex.PadLeft(byteLength * 2, '0');
        }

        return null;
    }
}
