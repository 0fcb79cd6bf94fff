using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Text.Unicode;

namespace OpsAssistant.Core.Formats;

/// <summary>
/// Reads the fields of one protobuf message in place: a nested message is a slice of the same buffer read by another
/// reader, a string is decoded straight from the bytes, so decoding allocates nothing but what it returns. Every length
/// is checked in full against the bytes that remain (a declared 2^63 is malformed, not 0), varints are at most 10
/// bytes, and unknown groups nest at most <see cref="MaxGroupDepth"/> deep: any fault is a
/// <see cref="TraceFormatException"/> naming the byte where it is.
/// </summary>
internal ref struct ProtobufWireReader
{
    public const int Varint = 0;
    public const int Fixed64 = 1;
    public const int LengthDelimited = 2;
    public const int StartGroup = 3;
    public const int EndGroup = 4;
    public const int Fixed32 = 5;

    /// <summary>How deep unknown groups may nest, as Google.Protobuf's default recursion limit has it.</summary>
    public const int MaxGroupDepth = 100;

    private const string Prefix = "Malformed OTLP protobuf trace payload: ";

    private readonly ReadOnlySpan<byte> _message;

    // Where the message starts in the whole payload, so a fault names its byte in what the sender sent.
    private readonly int _origin;
    private int _position;

    public ProtobufWireReader(ReadOnlySpan<byte> message)
        : this(message, 0)
    {
    }

    private ProtobufWireReader(ReadOnlySpan<byte> message, int origin)
    {
        _message = message;
        _origin = origin;
    }

    /// <summary>The field number of the tag <see cref="Next"/> read.</summary>
    public int Field { get; private set; }

    /// <summary>The wire type of the tag <see cref="Next"/> read.</summary>
    public int WireType { get; private set; }

    /// <summary>Reads the next tag; false at the end of the message.</summary>
    public bool Next()
    {
        if (_position >= _message.Length)
        {
            return false;
        }

        var at = _position;

        // A tag is 32 bits: a longer varint keeps its low 32 bits, as protobuf's readers do.
        var tag = (uint)ReadVarint();
        Field = (int)(tag >> 3);
        WireType = (int)(tag & 7);
        if (Field == 0)
        {
            Throw($"the tag at byte {_origin + at} has field number 0.");
        }

        if (WireType > Fixed32)
        {
            Throw($"the tag at byte {_origin + at} has wire type {WireType}, which protobuf does not define.");
        }

        return true;
    }

    /// <summary>True when the last tag is <paramref name="field"/> holding a length-delimited value (a message, string or bytes).</summary>
    public readonly bool IsLengthDelimited(int field) => Field == field && WireType == LengthDelimited;

    public ulong ReadVarint()
    {
        // One byte is the usual case: field tags, enums, small lengths.
        if ((uint)_position < (uint)_message.Length && _message[_position] < 0x80)
        {
            return _message[_position++];
        }

        return ReadLongVarint();
    }

    public ulong ReadFixed64()
    {
        if (_message.Length - _position < sizeof(ulong))
        {
            ThrowFixedPastEnd();
        }

        var value = BinaryPrimitives.ReadUInt64LittleEndian(_message[_position..]);
        _position += sizeof(ulong);
        return value;
    }

    public uint ReadFixed32()
    {
        if (_message.Length - _position < sizeof(uint))
        {
            ThrowFixedPastEnd();
        }

        var value = BinaryPrimitives.ReadUInt32LittleEndian(_message[_position..]);
        _position += sizeof(uint);
        return value;
    }

    /// <summary>The bytes of a length-delimited value, as a slice of the message.</summary>
    public ReadOnlySpan<byte> ReadBytes()
    {
        var at = _position;
        var length = ReadVarint();
        var remaining = _message.Length - _position;
        if (length > (ulong)remaining)
        {
            Throw($"a field at byte {_origin + at} declares {length} bytes but only {remaining} remain.");
        }

        var bytes = _message.Slice(_position, (int)length);
        _position += (int)length;
        return bytes;
    }

    /// <summary>A reader over the nested message the last tag holds.</summary>
    public ProtobufWireReader ReadMessage()
    {
        var bytes = ReadBytes();
        return new ProtobufWireReader(bytes, _origin + _position - bytes.Length);
    }

    /// <summary>
    /// A UTF-8 string, taken from <paramref name="pool"/> when short (a batch repeats its keys, names and many values);
    /// bytes that are not UTF-8 make the payload malformed, as Google.Protobuf's ReadString has it.
    /// </summary>
    public string ReadString(StringPool pool)
    {
        var bytes = ReadBytes();
        if (bytes.IsEmpty)
        {
            return "";
        }

        if (!Utf8.IsValid(bytes))
        {
            Throw($"the string at byte {_origin + _position - bytes.Length} is not valid UTF-8.");
        }

        return pool.FromUtf8(bytes);
    }

    /// <summary>Skips the value of the last tag, whatever its wire type: what a reader does with a field it does not know.</summary>
    public void Skip() => Skip(depth: 0);

    private void Skip(int depth)
    {
        switch (WireType)
        {
            case Varint:
                ReadVarint();
                break;
            case Fixed64:
                ReadFixed64();
                break;
            case LengthDelimited:
                ReadBytes();
                break;
            case Fixed32:
                ReadFixed32();
                break;
            case StartGroup:
                SkipGroup(depth + 1);
                break;
            default:
                Throw($"an end-group tag (field {Field}) before byte {_origin + _position} has no start-group tag.");
                break;
        }
    }

    private void SkipGroup(int depth)
    {
        if (depth >= MaxGroupDepth)
        {
            Throw($"groups nest deeper than {MaxGroupDepth} levels at byte {_origin + _position}.");
        }

        var field = Field;
        while (true)
        {
            if (!Next())
            {
                Throw($"the group of field {field} is not ended before the end of its message.");
            }

            if (WireType == EndGroup)
            {
                if (Field != field)
                {
                    Throw($"the group of field {field} is ended by an end-group tag of field {Field} before byte {_origin + _position}.");
                }

                return;
            }

            Skip(depth);
        }
    }

    private ulong ReadLongVarint()
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (_position >= _message.Length)
            {
                Throw("a varint runs past the end of its message.");
            }

            var b = _message[_position++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }

        Throw($"a varint before byte {_origin + _position} is longer than 10 bytes.");
        return 0;
    }

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowFixedPastEnd() => Throw("a fixed-width field runs past the end of its message.");

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Throw(string detail) => throw new TraceFormatException(Prefix + detail);
}
