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
    public static void ReadKeyValue(ProtobufWireReader message, int depth, string prefix, List<Attribute> into, StringPool pool)
    {
        var key = "";
        object? value = null;
        List<Attribute>? nested = null;
        while (message.Next())
        {
            switch (message.Field)
            {
                case 1 when message.WireType == ProtobufWireReader.LengthDelimited:
                    key = message.ReadString(pool);
                    break;
                case 2 when message.WireType == ProtobufWireReader.LengthDelimited:
                    value = ReadAnyValue(message.ReadMessage(), depth, out nested, pool);
                    break;
                default:
                    message.Skip();
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

    /// <summary>
    /// The attributes held in field <paramref name="field"/> of <paramref name="message"/> (repeated KeyValue), read with
    /// <paramref name="scratch"/>'s list to gather in; the message's other fields are skipped.
    /// </summary>
    public static Attribute[] ReadKeyValues(ProtobufWireReader message, int field, OtlpProtobufReader.Scratch scratch)
    {
        var list = scratch.Attributes;
        var any = false;
        list.Clear();
        while (message.Next())
        {
            if (message.IsLengthDelimited(field))
            {
                any = true;
                ReadKeyValue(message.ReadMessage(), 0, "", list, scratch.Strings);
            }
            else
            {
                message.Skip();
            }
        }

        if (!any)
        {
            return AttributeValues.Empty;
        }

        var attributes = list.ToArray();
        list.Clear();
        return attributes;
    }

    private static object? ReadAnyValue(ProtobufWireReader message, int depth, out List<Attribute>? kvlist, StringPool pool)
    {
        if (depth >= OtlpProtobufReader.MaxValueDepth)
        {
            throw new TraceFormatException($"OTLP attribute value nests deeper than {OtlpProtobufReader.MaxValueDepth} levels.");
        }

        kvlist = null;
        object? value = null;
        while (message.Next())
        {
            // A oneof: the last field on the wire wins, as protobuf merging semantics say.
            switch (message.Field)
            {
                case 1 when message.WireType == ProtobufWireReader.LengthDelimited:
                    value = message.ReadString(pool);
                    kvlist = null;
                    break;
                case 2 when message.WireType == ProtobufWireReader.Varint:
                    value = message.ReadVarint() != 0;
                    kvlist = null;
                    break;
                case 3 when message.WireType == ProtobufWireReader.Varint:
                    value = (long)message.ReadVarint();
                    kvlist = null;
                    break;
                case 4 when message.WireType == ProtobufWireReader.Fixed64:
                    value = BitConverter.UInt64BitsToDouble(message.ReadFixed64());
                    kvlist = null;
                    break;
                case 5 when message.WireType == ProtobufWireReader.LengthDelimited:
                    value = ReadArray(message.ReadMessage(), depth + 1, pool);
                    kvlist = null;
                    break;
                case 6 when message.WireType == ProtobufWireReader.LengthDelimited:
                    kvlist = ReadKeyValueList(message.ReadMessage(), depth + 1, pool);
                    value = null;
                    break;
                case 7 when message.WireType == ProtobufWireReader.LengthDelimited:
                    value = message.ReadBytes().ToArray();
                    kvlist = null;
                    break;
                default:
                    message.Skip();
                    break;
            }
        }

        return value;
    }

    private static object?[] ReadArray(ProtobufWireReader message, int depth, StringPool pool)
    {
        // Counted first, so the array is made at its size instead of grown through a list.
        var count = 0;
        var counting = message;
        while (counting.Next())
        {
            count += counting.IsLengthDelimited(1) ? 1 : 0;
            counting.Skip();
        }

        var values = count == 0 ? [] : new object?[count];
        var index = 0;
        while (message.Next())
        {
            if (message.IsLengthDelimited(1))
            {
                var item = ReadAnyValue(message.ReadMessage(), depth, out var kvlist, pool);

                // An array element has no key to flatten under; a key/value list there is kept as its "k=v" texts.
                values[index++] = kvlist is null ? item : kvlist.Select(a => (object?)a.ToString()).ToArray();
            }
            else
            {
                message.Skip();
            }
        }

        return values;
    }

    private static List<Attribute> ReadKeyValueList(ProtobufWireReader message, int depth, StringPool pool)
    {
        var values = new List<Attribute>();
        while (message.Next())
        {
            if (message.IsLengthDelimited(1))
            {
                ReadKeyValue(message.ReadMessage(), depth, "", values, pool);
            }
            else
            {
                message.Skip();
            }
        }

        return values;
    }
}
