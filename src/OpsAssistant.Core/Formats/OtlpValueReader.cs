using Google.Protobuf;
using OpsAssistant.Core.Model;
using Attribute = OpsAssistant.Core.Model.Attribute;

namespace OpsAssistant.Core.Formats;

/// <summary>
/// Decodes OTLP <c>KeyValue</c> and <c>AnyValue</c>. Arrays become <c>object?[]</c>, key/value lists become
/// <see cref="Attribute"/>[], bytes stay <c>byte[]</c>; nesting is bounded so a hostile payload cannot exhaust the stack.
/// </summary>
internal static class OtlpValueReader
{
    public static Attribute ReadKeyValue(ByteString message, int depth)
    {
        var key = "";
        object? value = null;
        var input = OtlpWire.Open(message);
        while (input.ReadTag() is var tag and not 0)
        {
            switch (OtlpWire.Field(tag))
            {
                case 1 when OtlpWire.IsLengthDelimited(tag):
                    key = input.ReadString();
                    break;
                case 2 when OtlpWire.IsLengthDelimited(tag):
                    value = ReadAnyValue(input.ReadBytes(), depth);
                    break;
                default:
                    input.SkipLastField();
                    break;
            }
        }

        return new Attribute(key, value);
    }

    public static object? ReadAnyValue(ByteString message, int depth)
    {
        if (depth >= OtlpProtobufReader.MaxValueDepth)
        {
            throw new TraceFormatException($"OTLP attribute value nests deeper than {OtlpProtobufReader.MaxValueDepth} levels.");
        }

        object? value = null;
        var input = OtlpWire.Open(message);
        while (input.ReadTag() is var tag and not 0)
        {
            // A oneof: the last field on the wire wins, as protobuf merging semantics say.
            switch (OtlpWire.Field(tag))
            {
                case 1 when OtlpWire.IsLengthDelimited(tag):
                    value = input.ReadString();
                    break;
                case 2 when OtlpWire.IsVarint(tag):
                    value = input.ReadBool();
                    break;
                case 3 when OtlpWire.IsVarint(tag):
                    value = input.ReadInt64();
                    break;
                case 4 when OtlpWire.IsFixed64(tag):
                    value = input.ReadDouble();
                    break;
                case 5 when OtlpWire.IsLengthDelimited(tag):
                    value = ReadArray(input.ReadBytes(), depth + 1);
                    break;
                case 6 when OtlpWire.IsLengthDelimited(tag):
                    value = ReadKeyValueList(input.ReadBytes(), depth + 1);
                    break;
                case 7 when OtlpWire.IsLengthDelimited(tag):
                    value = input.ReadBytes().ToByteArray();
                    break;
                default:
                    input.SkipLastField();
                    break;
            }
        }

        return value;
    }

    private static object?[] ReadArray(ByteString message, int depth)
    {
        var values = new List<object?>();
        var input = OtlpWire.Open(message);
        while (input.ReadTag() is var tag and not 0)
        {
            if (OtlpWire.Field(tag) == 1 && OtlpWire.IsLengthDelimited(tag))
            {
                values.Add(ReadAnyValue(input.ReadBytes(), depth));
            }
            else
            {
                input.SkipLastField();
            }
        }

        return values.ToArray();
    }

    private static Attribute[] ReadKeyValueList(ByteString message, int depth)
    {
        var values = new List<Attribute>();
        var input = OtlpWire.Open(message);
        while (input.ReadTag() is var tag and not 0)
        {
            if (OtlpWire.Field(tag) == 1 && OtlpWire.IsLengthDelimited(tag))
            {
                values.Add(ReadKeyValue(input.ReadBytes(), depth));
            }
            else
            {
                input.SkipLastField();
            }
        }

        return values.ToArray();
    }
}
