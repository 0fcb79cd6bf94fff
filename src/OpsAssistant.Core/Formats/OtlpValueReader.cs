using Google.Protobuf;
using OpsAssistant.Core.Model;
using Attribute = OpsAssistant.Core.Model.Attribute;

namespace OpsAssistant.Core.Formats;

/// <summary>
/// Decodes OTLP <c>KeyValue</c> and <c>AnyValue</c> the way <see cref="OtlpJsonParser"/> does for JSON: arrays become
/// <c>object?[]</c>, bytes stay <c>byte[]</c>, and key/value lists are flattened into dotted keys
/// (<c>http.request.header.x</c>), which is how analysis looks them up. Nesting is bounded so a hostile payload cannot
/// exhaust the stack.
/// </summary>
internal static class OtlpValueReader
{
    /// <summary>Reads one KeyValue into <paramref name="into"/>: one attribute, or several when the value is a key/value list.</summary>
    public static void ReadKeyValue(ByteString message, int depth, string prefix, List<Attribute> into)
    {
        var key = "";
        object? value = null;
        List<Attribute>? nested = null;
        using var input = OtlpWire.Open(message);
        while (input.ReadTag() is var tag and not 0)
        {
            switch (OtlpWire.Field(tag))
            {
                case 1 when OtlpWire.IsLengthDelimited(tag):
                    key = input.ReadString();
                    break;
                case 2 when OtlpWire.IsLengthDelimited(tag):
                    value = ReadAnyValue(input.ReadBytes(), depth, out nested);
                    break;
                default:
                    input.SkipLastField();
                    break;
            }
        }

        if (key.Length == 0)
        {
            return;
        }

        var fullKey = prefix + key;
        if (nested is null)
        {
            into.Add(new Attribute(fullKey, value));
            return;
        }

        foreach (var attribute in nested)
        {
            into.Add(new Attribute(fullKey + "." + attribute.Key, attribute.Value));
        }
    }

    public static Attribute[] ReadKeyValues(List<ByteString>? messages)
    {
        if (messages is null || messages.Count == 0)
        {
            return AttributeValues.Empty;
        }

        var list = new List<Attribute>(messages.Count);
        foreach (var message in messages)
        {
            ReadKeyValue(message, 0, "", list);
        }

        return [.. list];
    }

    private static object? ReadAnyValue(ByteString message, int depth, out List<Attribute>? kvlist)
    {
        if (depth >= OtlpProtobufReader.MaxValueDepth)
        {
            throw new TraceFormatException($"OTLP attribute value nests deeper than {OtlpProtobufReader.MaxValueDepth} levels.");
        }

        kvlist = null;
        object? value = null;
        using var input = OtlpWire.Open(message);
        while (input.ReadTag() is var tag and not 0)
        {
            // A oneof: the last field on the wire wins, as protobuf merging semantics say.
            switch (OtlpWire.Field(tag))
            {
                case 1 when OtlpWire.IsLengthDelimited(tag):
                    value = input.ReadString();
                    kvlist = null;
                    break;
                case 2 when OtlpWire.IsVarint(tag):
                    value = input.ReadBool();
                    kvlist = null;
                    break;
                case 3 when OtlpWire.IsVarint(tag):
                    value = input.ReadInt64();
                    kvlist = null;
                    break;
                case 4 when OtlpWire.IsFixed64(tag):
                    value = input.ReadDouble();
                    kvlist = null;
                    break;
                case 5 when OtlpWire.IsLengthDelimited(tag):
                    value = ReadArray(input.ReadBytes(), depth + 1);
                    kvlist = null;
                    break;
                case 6 when OtlpWire.IsLengthDelimited(tag):
                    kvlist = ReadKeyValueList(input.ReadBytes(), depth + 1);
                    value = null;
                    break;
                case 7 when OtlpWire.IsLengthDelimited(tag):
                    value = input.ReadBytes().ToByteArray();
                    kvlist = null;
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
        using var input = OtlpWire.Open(message);
        while (input.ReadTag() is var tag and not 0)
        {
            if (OtlpWire.Field(tag) == 1 && OtlpWire.IsLengthDelimited(tag))
            {
                var item = ReadAnyValue(input.ReadBytes(), depth, out var kvlist);

                // An array element has no key to flatten under; a key/value list there is kept as its "k=v" texts.
                values.Add(kvlist is null ? item : kvlist.Select(a => (object?)a.ToString()).ToArray());
            }
            else
            {
                input.SkipLastField();
            }
        }

        return [.. values];
    }

    private static List<Attribute> ReadKeyValueList(ByteString message, int depth)
    {
        var values = new List<Attribute>();
        using var input = OtlpWire.Open(message);
        while (input.ReadTag() is var tag and not 0)
        {
            if (OtlpWire.Field(tag) == 1 && OtlpWire.IsLengthDelimited(tag))
            {
                ReadKeyValue(input.ReadBytes(), depth, "", values);
            }
            else
            {
                input.SkipLastField();
            }
        }

        return values;
    }
}
