using System.Buffers;
using System.Globalization;
using System.Text.Json;
using OpsAssistant.Core.Model;
using Attribute = OpsAssistant.Core.Model.Attribute;

namespace OpsAssistant.Infrastructure.Storage;

/// <summary>
/// The stored form of a span's non-indexed fields: compact UTF-8 JSON with one-letter keys. Attribute values are tagged
/// with their type (s string, i int64, d double, b bool, x bytes, a array, m key/value list) so they read back exactly
/// as they were written; OTLP JSON would lose the int/double distinction for whole numbers. <see cref="SpanPayloadDecoder"/>
/// reads it back.
/// </summary>
internal static class SpanPayloadCodec
{
    public static byte[] Encode(Span span)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WritePropertyName("r");
            WriteResource(writer, span.Resource);
            if (!ReferenceEquals(span.Scope, InstrumentationScope.Empty))
            {
                writer.WritePropertyName("c");
                WriteScope(writer, span.Scope);
            }

            WriteDetails(writer, span);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// The payload without its resource and scope (a <see cref="SpanChunkCodec"/> chunk keeps those once per chunk):
    /// one JSON object as <paramref name="writer"/>'s next root value.
    /// </summary>
    public static void EncodeDetails(Utf8JsonWriter writer, Span span)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartObject();
        WriteDetails(writer, span);
        writer.WriteEndObject();
    }

    /// <summary>A resource as the payload's <c>r</c> object.</summary>
    public static void WriteResource(Utf8JsonWriter writer, Resource resource)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartObject();
        writer.WriteString("s", resource.ServiceName);
        WriteAttributes(writer, "a", resource.Attributes);
        writer.WriteEndObject();
    }

    /// <summary>A scope as the payload's <c>c</c> object.</summary>
    public static void WriteScope(Utf8JsonWriter writer, InstrumentationScope scope)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartObject();
        writer.WriteString("n", scope.Name);
        if (scope.Version is not null)
        {
            writer.WriteString("v", scope.Version);
        }

        WriteAttributes(writer, "a", scope.Attributes ?? []);
        writer.WriteEndObject();
    }

    private static void WriteDetails(Utf8JsonWriter writer, Span span)
    {
        writer.WriteNumber("k", (int)span.Kind);
        writer.WriteNumber("st", (int)span.Status);
        if (span.StatusMessage is not null)
        {
            writer.WriteString("sm", span.StatusMessage);
        }

        if (span.ParentIsFollowsFrom)
        {
            writer.WriteBoolean("ff", true);
        }

        if (span.TraceState is not null)
        {
            writer.WriteString("ts", span.TraceState);
        }

        WriteAttributes(writer, "a", span.Attributes);
        if (span.Events.Count > 0)
        {
            writer.WriteStartArray("e");
            foreach (var e in span.Events)
            {
                writer.WriteStartObject();
                writer.WriteString("n", e.Name);
                writer.WriteNumber("t", e.TimeUnixNano);
                WriteAttributes(writer, "a", e.Attributes);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        if (span.Links.Count > 0)
        {
            writer.WriteStartArray("l");
            foreach (var link in span.Links)
            {
                writer.WriteStartObject();
                writer.WriteString("t", link.TraceId);
                writer.WriteString("s", link.SpanId);
                if (link.Kind is not null)
                {
                    writer.WriteString("k", link.Kind);
                }

                WriteAttributes(writer, "a", link.Attributes);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }
    }

    private static void WriteAttributes(Utf8JsonWriter writer, string property, IReadOnlyList<Attribute> attributes)
    {
        if (attributes.Count == 0)
        {
            return;
        }

        writer.WritePropertyName(property);
        WriteAttributeArray(writer, attributes);
    }

    private static void WriteAttributeArray(Utf8JsonWriter writer, IReadOnlyList<Attribute> attributes)
    {
        writer.WriteStartArray();
        // As a span: no enumerator, and no copy for attributes a reader packed with other spans'.
        foreach (var attribute in AttributeValues.AsSpan(attributes))
        {
            writer.WriteStartArray();
            writer.WriteStringValue(attribute.Key);
            WriteValue(writer, attribute.Value);
            writer.WriteEndArray();
        }

        writer.WriteEndArray();
    }

    private static void WriteValue(Utf8JsonWriter writer, object? value)
    {
        switch (value)
        {
            case null:
                writer.WriteNullValue();
                return;
            case string s:
                Tagged(writer, "s").WriteStringValue(s);
                break;
            case bool b:
                Tagged(writer, "b").WriteBooleanValue(b);
                break;
            case long l:
                Tagged(writer, "i").WriteNumberValue(l);
                break;
            case int i:
                Tagged(writer, "i").WriteNumberValue(i);
                break;
            case double d when double.IsFinite(d):
                Tagged(writer, "d").WriteNumberValue(d);
                break;
            case double d:
                // JSON has no NaN or infinity: keep them as their round-trip text.
                Tagged(writer, "d").WriteStringValue(d.ToString("R", CultureInfo.InvariantCulture));
                break;
            case byte[] bytes:
                Tagged(writer, "x").WriteBase64StringValue(bytes);
                break;
            case Attribute[] list:
                writer.WriteStartObject();
                writer.WritePropertyName("m");
                WriteAttributeArray(writer, list);
                break;
            case IReadOnlyList<Attribute> list:
                writer.WriteStartObject();
                writer.WritePropertyName("m");
                WriteAttributeArray(writer, list);
                break;
            case object?[] array:
                writer.WriteStartObject();
                writer.WriteStartArray("a");
                foreach (var item in array)
                {
                    WriteValue(writer, item);
                }

                writer.WriteEndArray();
                break;
            default:
                Tagged(writer, "s").WriteStringValue(AttributeValues.Format(value));
                break;
        }

        writer.WriteEndObject();
    }

    private static Utf8JsonWriter Tagged(Utf8JsonWriter writer, string tag)
    {
        writer.WriteStartObject();
        writer.WritePropertyName(tag);
        return writer;
    }
}
