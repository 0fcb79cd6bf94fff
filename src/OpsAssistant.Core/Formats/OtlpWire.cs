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
        if (MemoryMarshal.TryGetArray(memory, out var segment) && segment.Array is not null)
        {
            return new CodedInputStream(segment.Array, segment.Offset, segment.Count);
        }

        return new CodedInputStream(memory.ToArray());
    }

    public static long ToUnixNano(ulong value) => value > long.MaxValue ? long.MaxValue : (long)value;
}
