using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using System.Text.Json;

namespace OpsAssistant.Core.Formats;

/// <summary>
/// Interns short strings while reading: a million-span trace repeats the same few hundred service names, span names and
/// attribute keys, and holding one copy of each is the difference between a few MB and a few hundred MB.
/// </summary>
internal sealed class StringPool
{
    private const int MaxInternLength = 128;
    private readonly Dictionary<string, string> _strings = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    /// <summary>
    /// The pooled strings most recently read, by a cheap hash of their UTF-8 bytes. Service names, span
    /// names, attribute keys and many values repeat span after span; a hit is one hash and one vectorised ASCII compare,
    /// where the pool itself costs a transcode plus a full string hash. A slot holds one string; a collision replaces it.
    /// </summary>
    private readonly string?[] _recent = new string?[RecentSlots];
    private const int RecentSlots = 1024;

    public StringPool() => _lookup = _strings.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>Reads the current string token, interned when short, cut to <paramref name="maxLength"/> when long.</summary>
    public string Read(ref Utf8JsonReader reader, int maxLength, out bool truncated)
    {
        truncated = false;
        var byteLength = reader.HasValueSequence ? checked((int)reader.ValueSequence.Length) : reader.ValueSpan.Length;
        if (byteLength <= MaxInternLength)
        {
            var plain = !reader.HasValueSequence && !reader.ValueIsEscaped;
            var slot = 0;
            if (plain)
            {
                slot = Slot(reader.ValueSpan);
                if (_recent[slot] is { } recent && Ascii.Equals(reader.ValueSpan, recent))
                {
                    return recent;
                }
            }

            Span<char> chars = stackalloc char[MaxInternLength];
            var written = reader.CopyString(chars);
            var value = Intern(chars[..written]);
            if (plain)
            {
                _recent[slot] = value;
            }

            return value;
        }

        // A value far past the cap is decoded only as far as the cap: a 50 MB attribute must not cost a 100 MB char buffer.
        var prefixBytes = (maxLength + 2) * 3;
        if (byteLength > prefixBytes && !reader.HasValueSequence && !reader.ValueIsEscaped)
        {
            truncated = true;
            return ReadPrefix(reader.ValueSpan[..prefixBytes], maxLength);
        }

        var rented = ArrayPool<char>.Shared.Rent(byteLength);
        try
        {
            var written = reader.CopyString(rented);
            if (written > maxLength)
            {
                truncated = true;
                return string.Concat(rented.AsSpan(0, maxLength), "…[truncated]");
            }

            return new string(rented, 0, written);
        }
        finally
        {
            ArrayPool<char>.Shared.Return(rented);
        }
    }

    /// <summary>
    /// A string from UTF-8 bytes the caller has checked are valid (a protobuf string field), interned when short, through
    /// the same recent-string slots as JSON tokens.
    /// </summary>
    public string FromUtf8(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length > MaxInternLength)
        {
            return Encoding.UTF8.GetString(utf8);
        }

        var slot = Slot(utf8);
        if (_recent[slot] is { } recent && Ascii.Equals(utf8, recent))
        {
            return recent;
        }

        Span<char> chars = stackalloc char[MaxInternLength];
        var value = Intern(chars[..Encoding.UTF8.GetChars(utf8, chars)]);
        _recent[slot] = value;
        return value;
    }

    private static string ReadPrefix(ReadOnlySpan<byte> utf8, int maxLength)
    {
        var chars = ArrayPool<char>.Shared.Rent(utf8.Length);
        try
        {
            // Not the final block: a multi-byte character cut at the end is left out, not replaced.
            System.Text.Unicode.Utf8.ToUtf16(utf8, chars, out _, out var written, replaceInvalidSequences: true, isFinalBlock: false);
            return string.Concat(chars.AsSpan(0, Math.Min(written, maxLength)), "…[truncated]");
        }
        finally
        {
            ArrayPool<char>.Shared.Return(chars);
        }
    }

    /// <summary>A slot from the length and the first and last eight bytes: enough to tell apart the names of one trace.</summary>
    private static int Slot(ReadOnlySpan<byte> utf8)
    {
        ulong mix = (ulong)utf8.Length;
        if (utf8.Length >= 8)
        {
            mix ^= BinaryPrimitives.ReadUInt64LittleEndian(utf8) * 0x9E3779B97F4A7C15UL;
            mix ^= BinaryPrimitives.ReadUInt64LittleEndian(utf8[^8..]) * 0xC2B2AE3D27D4EB4FUL;
        }
        else
        {
            foreach (var b in utf8)
            {
                mix = (mix * 31) + b;
            }

            mix *= 0x9E3779B97F4A7C15UL;
        }

        return (int)((mix ^ (mix >> 29)) >> 32) & (RecentSlots - 1);
    }

    public string Intern(ReadOnlySpan<char> value)
    {
        if (_lookup.TryGetValue(value, out var existing))
        {
            return existing;
        }

        var s = value.ToString();
        _strings[s] = s;
        return s;
    }
}
