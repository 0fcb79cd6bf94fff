using System.Runtime.InteropServices;
using Google.Protobuf;

namespace OpsAssistant.Core.Formats;

/// <summary>Small helpers over <see cref="CodedInputStream"/> shared by the OTLP protobuf readers.</summary>
internal static class OtlpWire
{
    public static int Field(uint tag) => WireFormat.GetTagFieldNumber(tag);

    public static bool IsLengthDelimited(uint tag) => WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited;

    public static bool IsFixed64(uint tag) => WireFormat.GetTagWireType(tag) == WireFormat.WireType.Fixed64;

    public static bool IsVarint(uint tag) => WireFormat.GetTagWireType(tag) == WireFormat.WireType.Varint;

    public static CodedInputStream Open(ByteString message) => Open(message.Memory);

    /// <summary>
    /// Opens a nested message without copying when the memory is array-backed (it always is for ByteString and our
    /// buffers). CodedInputStream checks every length against the bytes left, so a huge declared length cannot allocate.
    /// </summary>
    public static CodedInputStream Open(ReadOnlyMemory<byte> memory)
    {
        CheckLengths(memory.Span);
        if (MemoryMarshal.TryGetArray(memory, out var segment) && segment.Array is not null)
        {
            return new CodedInputStream(segment.Array, segment.Offset, segment.Count);
        }

        return new CodedInputStream(memory.ToArray());
    }

    /// <summary>
    /// Checks every field header of one message level: CodedInputStream reads a length prefix as 32 bits and drops the
    /// rest, so a declared length of 2^63 would read as 0 and the payload would pass for well-formed. Each length must fit
    /// in the bytes that remain; every nested message is opened here too, so every level is checked.
    /// </summary>
    /// <exception cref="TraceFormatException">A length or varint runs past the message.</exception>
    private static void CheckLengths(ReadOnlySpan<byte> message)
    {
        var position = 0;
        while (position < message.Length)
        {
            var tag = ReadVarint(message, ref position);
            switch ((int)(tag & 7))
            {
                case 0:
                    ReadVarint(message, ref position);
                    break;
                case 1:
                    position += 8;
                    break;
                case 5:
                    position += 4;
                    break;
                case 2:
                    var at = position;
                    var length = ReadVarint(message, ref position);
                    if (length > (ulong)(message.Length - position))
                    {
                        throw new TraceFormatException(
                            $"Malformed OTLP protobuf trace payload: a field at byte {at} declares {length} bytes but only {message.Length - position} remain.");
                    }

                    position += (int)length;
                    break;
                default:
                    // Groups (3, 4) are not part of OTLP; the reader skips or rejects them itself.
                    return;
            }

            if (position > message.Length)
            {
                throw new TraceFormatException("Malformed OTLP protobuf trace payload: a fixed-width field runs past the end of its message.");
            }
        }
    }

    private static ulong ReadVarint(ReadOnlySpan<byte> message, ref int position)
    {
        ulong value = 0;
        for (var shift = 0; shift < 70; shift += 7)
        {
            if (position >= message.Length)
            {
                throw new TraceFormatException("Malformed OTLP protobuf trace payload: a varint runs past the end of its message.");
            }

            var b = message[position++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }

        throw new TraceFormatException("Malformed OTLP protobuf trace payload: a varint is longer than 10 bytes.");
    }

    public static long ToUnixNano(ulong value) => value > long.MaxValue ? long.MaxValue : (long)value;
}
