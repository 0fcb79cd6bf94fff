using System.Globalization;
using System.Text.Json;
using OpsAssistant.Core.Model;
using Attribute = OpsAssistant.Core.Model.Attribute;

namespace OpsAssistant.Core.Formats;

/// <summary>
/// Writes spans as OTLP/JSON per the spec's JSON mapping: hex IDs, 64-bit integers as strings, enums as numbers, spans
/// grouped by resource then scope. What the store serves and the API returns; reading it back gives the same model.
/// </summary>
public static class OtlpJsonWriter
{
    /// <summary>Bytes a streamed write holds before it hands them to the output; the response never holds the whole trace.</summary>
    public const int FlushBytes = 32 * 1024;

    /// <summary>
    /// Writes as it goes: whenever <see cref="FlushBytes"/> are pending they are flushed to <paramref name="output"/>, so a
    /// slow reader of a large trace holds the server to one flush's worth of memory (the output's own back-pressure does the
    /// rest) instead of the whole document. The bytes are the same as <see cref="ToUtf8Bytes"/>'s.
    /// </summary>
    public static async Task WriteAsync(Stream output, IEnumerable<Span> spans, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(spans);
        await using var writer = new Utf8JsonWriter(output);
        foreach (var _ in WriteSpanBySpan(writer, spans))
        {
            if (writer.BytesPending >= FlushBytes)
            {
                await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    public static byte[] ToUtf8Bytes(IEnumerable<Span> spans)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Write(writer, spans);
        }

        return buffer.ToArray();
    }

    public static void Write(Utf8JsonWriter writer, IEnumerable<Span> spans)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(spans);
        foreach (var _ in WriteSpanBySpan(writer, spans))
        {
        }
    }

    /// <summary>The document, yielding after each span so a caller may flush between spans; one writer for both forms.</summary>
    private static IEnumerable<bool> WriteSpanBySpan(Utf8JsonWriter writer, IEnumerable<Span> spans)
    {
        writer.WriteStartObject();
        writer.WriteStartArray("resourceSpans");
        foreach (var byResource in spans.GroupBy(s => s.Resource))
        {
            writer.WriteStartObject();
            writer.WriteStartObject("resource");
            var attributes = byResource.Key.Attributes.Any(a => a.Key == "service.name")
                ? byResource.Key.Attributes
                : [new Attribute("service.name", byResource.Key.ServiceName), .. byResource.Key.Attributes];
            WriteAttributes(writer, attributes);
            writer.WriteEndObject();
            writer.WriteStartArray("scopeSpans");
            foreach (var byScope in byResource.GroupBy(s => s.Scope))
            {
                writer.WriteStartObject();
                writer.WriteStartObject("scope");
                writer.WriteString("name", byScope.Key.Name);
                if (byScope.Key.Version is not null)
                {
                    writer.WriteString("version", byScope.Key.Version);
                }

                if (byScope.Key.Attributes is { Count: > 0 } scopeAttributes)
                {
                    WriteAttributes(writer, scopeAttributes);
                }

                writer.WriteEndObject();
                writer.WriteStartArray("spans");
                foreach (var span in byScope)
                {
                    WriteSpan(writer, span);
                    yield return true;
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static void WriteSpan(Utf8JsonWriter writer, Span span)
    {
        writer.WriteStartObject();
        writer.WriteString("traceId", span.TraceId);
        writer.WriteString("spanId", span.SpanId);
        if (span.TraceState is not null)
        {
            writer.WriteString("traceState", span.TraceState);
        }

        if (span.ParentSpanId is not null)
        {
            writer.WriteString("parentSpanId", span.ParentSpanId);
        }

        writer.WriteString("name", span.Name);
        writer.WriteNumber("kind", (int)span.Kind);
        writer.WriteString("startTimeUnixNano", span.StartUnixNano.ToString(CultureInfo.InvariantCulture));
        writer.WriteString("endTimeUnixNano", span.EndUnixNano.ToString(CultureInfo.InvariantCulture));
        WriteAttributes(writer, span.Attributes);
        if (span.Events.Count > 0)
        {
            writer.WriteStartArray("events");
            foreach (var e in span.Events)
            {
                writer.WriteStartObject();
                writer.WriteString("timeUnixNano", e.TimeUnixNano.ToString(CultureInfo.InvariantCulture));
                writer.WriteString("name", e.Name);
                WriteAttributes(writer, e.Attributes);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        if (span.Links.Count > 0)
        {
            writer.WriteStartArray("links");
            foreach (var l in span.Links)
            {
                writer.WriteStartObject();
                writer.WriteString("traceId", l.TraceId);
                writer.WriteString("spanId", l.SpanId);
                WriteAttributes(writer, l.Kind is null ? l.Attributes : [.. l.Attributes, new Attribute("opsassistant.link.kind", l.Kind)]);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        writer.WriteStartObject("status");
        if (span.Status != SpanStatusCode.Unset)
        {
            writer.WriteNumber("code", (int)span.Status);
        }

        if (span.StatusMessage is not null)
        {
            writer.WriteString("message", span.StatusMessage);
        }

        writer.WriteEndObject();
        if (span.ParentIsFollowsFrom)
        {
            // OTLP has no FOLLOWS_FROM; keep the Jaeger distinction in an extra field that our reader restores and others skip.
            writer.WriteBoolean("opsassistantFollowsFrom", true);
        }

        writer.WriteEndObject();
    }

    private static void WriteAttributes(Utf8JsonWriter writer, IReadOnlyList<Attribute> attributes)
    {
        writer.WriteStartArray("attributes");
        foreach (var a in AttributeValues.AsSpan(attributes))
        {
            writer.WriteStartObject();
            writer.WriteString("key", a.Key);
            writer.WritePropertyName("value");
            WriteAnyValue(writer, a.Value);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    private static void WriteAnyValue(Utf8JsonWriter writer, object? value)
    {
        writer.WriteStartObject();
        switch (value)
        {
            case null:
                break;
            case string s:
                writer.WriteString("stringValue", s);
                break;
            case bool b:
                writer.WriteBoolean("boolValue", b);
                break;
            case long l:
                writer.WriteString("intValue", l.ToString(CultureInfo.InvariantCulture));
                break;
            case int i:
                writer.WriteString("intValue", i.ToString(CultureInfo.InvariantCulture));
                break;
            case double d when double.IsFinite(d):
                writer.WriteNumber("doubleValue", d);
                break;
            case double d:
                writer.WriteString("doubleValue", double.IsNaN(d) ? "NaN" : d > 0 ? "Infinity" : "-Infinity");
                break;
            case byte[] bytes:
                writer.WriteBase64String("bytesValue", bytes);
                break;
            case object?[] array:
                writer.WriteStartObject("arrayValue");
                writer.WriteStartArray("values");
                foreach (var item in array)
                {
                    WriteAnyValue(writer, item);
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
                break;
            default:
                writer.WriteString("stringValue", AttributeValues.Format(value));
                break;
        }

        writer.WriteEndObject();
    }
}
