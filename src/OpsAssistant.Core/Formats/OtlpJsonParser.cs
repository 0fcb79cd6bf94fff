using System.Runtime.InteropServices;
using System.Text.Json;
using OpsAssistant.Core.Model;
using Attribute = OpsAssistant.Core.Model.Attribute;

namespace OpsAssistant.Core.Formats;

/// <summary>
/// OTLP/JSON as the spec writes it and as Tempo and Jaeger v3 marshal it: hex or base64 IDs, enums as numbers or names,
/// 64-bit nanos as strings or numbers, <c>scopeSpans</c> or the older <c>instrumentationLibrarySpans</c>.
/// </summary>
internal static class OtlpJsonParser
{
    /// <summary>Reads the value of <c>resourceSpans</c> / <c>batches</c>: an array of ResourceSpans.</summary>
    public static void ReadResourceSpansArray(ref Utf8JsonReader reader, JsonParseContext ctx, string field)
    {
        if (!JsonParseContext.StartArray(ref reader, field))
        {
            return;
        }

        while (JsonParseContext.NextElement(ref reader))
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw JsonParseContext.WrongType(ref reader, field + "[]", JsonTokenType.StartObject);
            }

            ReadResourceSpans(ref reader, ctx);
        }
    }

    /// <summary>
    /// Reads one ResourceSpans object. Each span becomes a <see cref="Span"/> as soon as it is read, through one reused
    /// draft (a draft per span, held until the end of its resource, was a third of the reader's surviving
    /// garbage). Exporters write <c>resource</c> before <c>scopeSpans</c> and <c>scope</c> before <c>spans</c>; in the rare
    /// document that does not, the spans already built are given their resource or scope when it arrives.
    /// </summary>
    private static void ReadResourceSpans(ref Utf8JsonReader reader, JsonParseContext ctx)
    {
        var resource = Resource.Unknown;
        var first = ctx.Spans.Count;
        while (JsonParseContext.NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("resource"u8))
            {
                resource = ReadResource(ref reader, ctx);
                ctx.Rehome(first, resource, scope: null);
            }
            else if (reader.ValueTextEquals("scopeSpans"u8) || reader.ValueTextEquals("instrumentationLibrarySpans"u8))
            {
                if (!JsonParseContext.StartArray(ref reader, "scopeSpans"))
                {
                    continue;
                }

                while (JsonParseContext.NextElement(ref reader))
                {
                    ReadScopeSpans(ref reader, ctx, resource);
                }
            }
            else
            {
                JsonParseContext.SkipValue(ref reader);
            }
        }
    }

    private static Resource ReadResource(ref Utf8JsonReader reader, JsonParseContext ctx)
    {
        if (!JsonParseContext.StartObject(ref reader, "resource"))
        {
            return Resource.Unknown;
        }

        Attribute[] attributes = AttributeValues.Empty;
        while (JsonParseContext.NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("attributes"u8))
            {
                attributes = ReadAttributes(ref reader, ctx, "resource.attributes");
            }
            else
            {
                JsonParseContext.SkipValue(ref reader);
            }
        }

        var service = AttributeValues.FindString(attributes, "service.name") ?? Resource.UnknownService;
        return new Resource(ctx.Pool.Intern(service), attributes);
    }

    private static void ReadScopeSpans(ref Utf8JsonReader reader, JsonParseContext ctx, Resource resource)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw JsonParseContext.WrongType(ref reader, "scopeSpans[]", JsonTokenType.StartObject);
        }

        var scope = InstrumentationScope.Empty;
        var first = ctx.Spans.Count;
        var draft = ctx.Draft;
        while (JsonParseContext.NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("scope"u8) || reader.ValueTextEquals("instrumentationLibrary"u8))
            {
                scope = ReadScope(ref reader, ctx);
                ctx.Rehome(first, resource: null, scope);
            }
            else if (reader.ValueTextEquals("spans"u8))
            {
                if (!JsonParseContext.StartArray(ref reader, "spans"))
                {
                    continue;
                }

                while (JsonParseContext.NextElement(ref reader))
                {
                    if (reader.TokenType != JsonTokenType.StartObject)
                    {
                        throw JsonParseContext.WrongType(ref reader, "spans[]", JsonTokenType.StartObject);
                    }

                    draft.Reset();
                    ReadSpan(ref reader, ctx, draft);
                    ctx.AddSpan(draft.Build(resource, scope));
                }
            }
            else
            {
                JsonParseContext.SkipValue(ref reader);
            }
        }
    }

    private static InstrumentationScope ReadScope(ref Utf8JsonReader reader, JsonParseContext ctx)
    {
        if (!JsonParseContext.StartObject(ref reader, "scope"))
        {
            return InstrumentationScope.Empty;
        }

        string name = "";
        string? version = null;
        Attribute[]? attributes = null;
        while (JsonParseContext.NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("name"u8))
            {
                name = ctx.ReadString(ref reader, "scope.name") ?? "";
            }
            else if (reader.ValueTextEquals("version"u8))
            {
                version = ctx.ReadString(ref reader, "scope.version");
            }
            else if (reader.ValueTextEquals("attributes"u8))
            {
                attributes = ReadAttributes(ref reader, ctx, "scope.attributes");
            }
            else
            {
                JsonParseContext.SkipValue(ref reader);
            }
        }

        return name.Length == 0 && version is null && attributes is null ? InstrumentationScope.Empty : new InstrumentationScope(name, version, attributes);
    }

    private static void ReadSpan(ref Utf8JsonReader reader, JsonParseContext ctx, SpanDraft d)
    {
        while (JsonParseContext.NextProperty(ref reader))
        {
            switch (SpanFieldOf(ref reader))
            {
                case SpanField.TraceId:
                    d.TraceId = ctx.ReadId(ref reader, "traceId", intern: true);
                    break;
                case SpanField.SpanId:
                    d.SpanId = ctx.ReadSpanId(ref reader, "spanId", out var id);
                    d.SpanIdNumber = id;
                    break;
                case SpanField.ParentSpanId:
                    d.ParentSpanId = ctx.ReadSpanId(ref reader, "parentSpanId", out var parent);
                    d.ParentNumber = parent ?? 0;
                    break;
                case SpanField.Name:
                    d.Name = ctx.ReadString(ref reader, "name");
                    break;
                case SpanField.Kind:
                    d.Kind = ReadKind(ref reader, ctx);
                    break;
                case SpanField.StartTimeUnixNano:
                    d.Start = ctx.ReadInt64(ref reader, "startTimeUnixNano");
                    break;
                case SpanField.EndTimeUnixNano:
                    d.End = ctx.ReadInt64(ref reader, "endTimeUnixNano");
                    break;
                case SpanField.Attributes:
                    d.AttributeRange = ReadSpanAttributes(ref reader, ctx);
                    break;
                case SpanField.Events:
                    d.Events = ReadEvents(ref reader, ctx);
                    break;
                case SpanField.Links:
                    d.Links = ReadLinks(ref reader, ctx);
                    break;
                case SpanField.Status:
                    (d.Status, d.StatusMessage) = ReadStatus(ref reader, ctx);
                    break;
                case SpanField.TraceState:
                    d.TraceState = ctx.ReadString(ref reader, "traceState");
                    break;
                case SpanField.FollowsFrom:
                    d.ParentIsFollowsFrom = JsonParseContext.ReadBool(ref reader, "opsassistantFollowsFrom") == true;
                    break;
                default:
                    JsonParseContext.SkipValue(ref reader);
                    break;
            }
        }

        d.Context = ctx;
    }

    private enum SpanField
    {
        Other,
        TraceId,
        SpanId,
        ParentSpanId,
        Name,
        Kind,
        StartTimeUnixNano,
        EndTimeUnixNano,
        Attributes,
        Events,
        Links,
        Status,
        TraceState,
        FollowsFrom,
    }

    /// <summary>
    /// Which span field the current property names, by its length and then one comparison (a chain of
    /// <c>ValueTextEquals</c> compared the name up to a dozen times). Escaped names are unescaped first, as
    /// <c>ValueTextEquals</c> would have compared them.
    /// </summary>
    private static SpanField SpanFieldOf(ref Utf8JsonReader reader) =>
        reader.ValueIsEscaped || reader.HasValueSequence ? SpanFieldOfEscaped(ref reader) : SpanFieldOf(reader.ValueSpan);

    private static SpanField SpanFieldOfEscaped(ref Utf8JsonReader reader)
    {
        const int Longest = 23; // "opsassistantFollowsFrom"
        var raw = reader.HasValueSequence ? reader.ValueSequence.Length : reader.ValueSpan.Length;
        if (raw > Longest * 6)
        {
            return SpanField.Other; // even fully escaped, no field name is this long
        }

        Span<byte> name = stackalloc byte[Longest * 6];
        return SpanFieldOf(name[..reader.CopyString(name)]);
    }

    private static SpanField SpanFieldOf(ReadOnlySpan<byte> name) => name.Length switch
    {
        4 when name.SequenceEqual("name"u8) => SpanField.Name,
        4 when name.SequenceEqual("kind"u8) => SpanField.Kind,
        5 when name.SequenceEqual("links"u8) => SpanField.Links,
        6 when name.SequenceEqual("spanId"u8) => SpanField.SpanId,
        6 when name.SequenceEqual("status"u8) => SpanField.Status,
        6 when name.SequenceEqual("events"u8) => SpanField.Events,
        7 when name.SequenceEqual("traceId"u8) => SpanField.TraceId,
        10 when name.SequenceEqual("attributes"u8) => SpanField.Attributes,
        10 when name.SequenceEqual("traceState"u8) => SpanField.TraceState,
        12 when name.SequenceEqual("parentSpanId"u8) => SpanField.ParentSpanId,
        15 when name.SequenceEqual("endTimeUnixNano"u8) => SpanField.EndTimeUnixNano,
        17 when name.SequenceEqual("startTimeUnixNano"u8) => SpanField.StartTimeUnixNano,
        23 when name.SequenceEqual("opsassistantFollowsFrom"u8) => SpanField.FollowsFrom,
        _ => SpanField.Other,
    };

    private static SpanKind ReadKind(ref Utf8JsonReader reader, JsonParseContext ctx)
    {
        JsonParseContext.Read(ref reader);
        if (reader.TokenType == JsonTokenType.Number)
        {
            return reader.TryGetInt32(out var n) && n is >= 0 and <= 5 ? (SpanKind)n : SpanKind.Unspecified;
        }

        var text = ctx.ReadCurrentString(ref reader, "kind") ?? "";
        return ParseKindName(text);
    }

    internal static SpanKind ParseKindName(string text)
    {
        var name = text.StartsWith("SPAN_KIND_", StringComparison.OrdinalIgnoreCase) ? text[10..] : text;
        return name.ToUpperInvariant() switch
        {
            "INTERNAL" => SpanKind.Internal,
            "SERVER" => SpanKind.Server,
            "CLIENT" => SpanKind.Client,
            "PRODUCER" => SpanKind.Producer,
            "CONSUMER" => SpanKind.Consumer,
            _ => int.TryParse(name, out var n) && n is >= 0 and <= 5 ? (SpanKind)n : SpanKind.Unspecified,
        };
    }

    private static (SpanStatusCode, string?) ReadStatus(ref Utf8JsonReader reader, JsonParseContext ctx)
    {
        if (!JsonParseContext.StartObject(ref reader, "status"))
        {
            return (SpanStatusCode.Unset, null);
        }

        var code = SpanStatusCode.Unset;
        string? message = null;
        while (JsonParseContext.NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("code"u8))
            {
                JsonParseContext.Read(ref reader);
                code = reader.TokenType == JsonTokenType.Number
                    ? reader.TryGetInt32(out var n) && n is >= 0 and <= 2 ? (SpanStatusCode)n : SpanStatusCode.Unset
                    : (ctx.ReadCurrentString(ref reader, "status.code") ?? "").ToUpperInvariant() switch
                    {
                        "STATUS_CODE_OK" or "OK" or "1" => SpanStatusCode.Ok,
                        "STATUS_CODE_ERROR" or "ERROR" or "2" => SpanStatusCode.Error,
                        _ => SpanStatusCode.Unset,
                    };
            }
            else if (reader.ValueTextEquals("message"u8))
            {
                message = ctx.ReadString(ref reader, "status.message");
            }
            else
            {
                JsonParseContext.SkipValue(ref reader);
            }
        }

        return (code, string.IsNullOrEmpty(message) ? null : message);
    }

    private static List<SpanEvent> ReadEvents(ref Utf8JsonReader reader, JsonParseContext ctx)
    {
        var events = new List<SpanEvent>();
        if (!JsonParseContext.StartArray(ref reader, "events"))
        {
            return events;
        }

        while (JsonParseContext.NextElement(ref reader))
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw JsonParseContext.WrongType(ref reader, "events[]", JsonTokenType.StartObject);
            }

            string name = "";
            long time = 0;
            Attribute[] attributes = AttributeValues.Empty;
            while (JsonParseContext.NextProperty(ref reader))
            {
                if (reader.ValueTextEquals("name"u8))
                {
                    name = ctx.ReadString(ref reader, "events[].name") ?? "";
                }
                else if (reader.ValueTextEquals("timeUnixNano"u8))
                {
                    time = Math.Max(0, ctx.ReadInt64(ref reader, "events[].timeUnixNano") ?? 0);
                }
                else if (reader.ValueTextEquals("attributes"u8))
                {
                    attributes = ReadAttributes(ref reader, ctx, "events[].attributes");
                }
                else
                {
                    JsonParseContext.SkipValue(ref reader);
                }
            }

            events.Add(new SpanEvent(name, time, attributes));
        }

        return events;
    }

    private static List<SpanLink> ReadLinks(ref Utf8JsonReader reader, JsonParseContext ctx)
    {
        var links = new List<SpanLink>();
        if (!JsonParseContext.StartArray(ref reader, "links"))
        {
            return links;
        }

        while (JsonParseContext.NextElement(ref reader))
        {
            string? traceId = null, spanId = null;
            Attribute[] attributes = AttributeValues.Empty;
            while (JsonParseContext.NextProperty(ref reader))
            {
                if (reader.ValueTextEquals("traceId"u8))
                {
                    traceId = TraceIds.DecodeId(ctx.ReadString(ref reader, "links[].traceId"), 16);
                }
                else if (reader.ValueTextEquals("spanId"u8))
                {
                    spanId = TraceIds.DecodeId(ctx.ReadString(ref reader, "links[].spanId"), 8);
                }
                else if (reader.ValueTextEquals("attributes"u8))
                {
                    attributes = ReadAttributes(ref reader, ctx, "links[].attributes");
                }
                else
                {
                    JsonParseContext.SkipValue(ref reader);
                }
            }

            if (traceId is not null && spanId is not null)
            {
                links.Add(new SpanLink(traceId, spanId, attributes));
            }
        }

        return links;
    }

    internal static Attribute[] ReadAttributes(ref Utf8JsonReader reader, JsonParseContext ctx, string field) =>
        ReadAttributes(ref reader, ctx, field, packInto: null).Array ?? AttributeValues.Empty;

    /// <summary>A span's attributes, packed with other spans' into a shared array rather than an array per span.</summary>
    private static AttributeRange ReadSpanAttributes(ref Utf8JsonReader reader, JsonParseContext ctx) =>
        ReadAttributes(ref reader, ctx, "attributes", ctx.AttributeChunks);

    /// <summary>Reads an attribute array into an exact array of its own, or into <paramref name="packInto"/> when given.</summary>
    private static AttributeRange ReadAttributes(ref Utf8JsonReader reader, JsonParseContext ctx, string field, AttributeChunks? packInto)
    {
        if (!JsonParseContext.StartArray(ref reader, field))
        {
            return default;
        }

        var list = ctx.RentAttributeList();
        try
        {
            while (JsonParseContext.NextElement(ref reader))
            {
                ReadKeyValue(ref reader, ctx, field, "", list);
            }

            return list.Count == 0 ? default
                : packInto is null ? new AttributeRange([.. list], 0, list.Count)
                : packInto.Add(CollectionsMarshal.AsSpan(list));
        }
        finally
        {
            ctx.ReturnAttributeList(list);
        }
    }

    /// <summary>Reads one KeyValue; kvlist values are flattened into dotted keys (<c>http.request.header.x</c>), which is how they are looked up.</summary>
    private static void ReadKeyValue(ref Utf8JsonReader reader, JsonParseContext ctx, string field, string prefix, List<Attribute> into)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw JsonParseContext.WrongType(ref reader, field + "[]", JsonTokenType.StartObject);
        }

        string? key = null;
        object? value = null;
        List<Attribute>? nested = null;
        while (JsonParseContext.NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("key"u8))
            {
                // The field name for an error message is only built on the unusual path (the concatenation
                // cost a string per attribute). A key too short to be truncated cannot produce an error or a warning naming
                // the field (UTF-8 bytes >= chars), so it reads exactly as ReadString would read it.
                JsonParseContext.Read(ref reader);
                key = reader.TokenType == JsonTokenType.String && !reader.HasValueSequence && reader.ValueSpan.Length <= ctx.Options.MaxAttributeValueLength
                    ? ctx.ReadCurrentString(ref reader, "key")
                    : ctx.ReadCurrentString(ref reader, field + "[].key");
            }
            else if (reader.ValueTextEquals("value"u8))
            {
                value = ReadAnyValue(ref reader, ctx, field, out nested);
            }
            else
            {
                JsonParseContext.SkipValue(ref reader);
            }
        }

        if (string.IsNullOrEmpty(key))
        {
            return;
        }

        var fullKey = prefix.Length == 0 ? key : ctx.Pool.Intern(prefix + key);
        if (nested is not null)
        {
            foreach (var n in nested)
            {
                into.Add(new Attribute(ctx.Pool.Intern(fullKey + "." + n.Key), n.Value));
            }
        }
        else
        {
            into.Add(new Attribute(fullKey, value));
        }
    }

    private static object? ReadAnyValue(ref Utf8JsonReader reader, JsonParseContext ctx, string field, out List<Attribute>? kvlist)
    {
        kvlist = null;

        // Same result as StartObject(field + "[].value"), with the field name built only for the error.
        JsonParseContext.Read(ref reader);
        return reader.TokenType switch
        {
            JsonTokenType.StartObject => ReadAnyValueBody(ref reader, ctx, field, out kvlist),
            JsonTokenType.Null => null,
            _ => throw JsonParseContext.WrongType(ref reader, field + "[].value", JsonTokenType.StartObject),
        };
    }

    /// <summary>Reads an AnyValue object's properties; the reader is on its StartObject.</summary>
    private static object? ReadAnyValueBody(ref Utf8JsonReader reader, JsonParseContext ctx, string field, out List<Attribute>? kvlist)
    {
        kvlist = null;
        object? value = null;
        while (JsonParseContext.NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("stringValue"u8))
            {
                value = ctx.ReadString(ref reader, field);
            }
            else if (reader.ValueTextEquals("boolValue"u8))
            {
                value = JsonParseContext.ReadBool(ref reader, field);
            }
            else if (reader.ValueTextEquals("intValue"u8))
            {
                value = ctx.ReadInt64(ref reader, field) is { } number ? ctx.Box(number) : null;
            }
            else if (reader.ValueTextEquals("doubleValue"u8))
            {
                value = ctx.ReadDouble(ref reader, field);
            }
            else if (reader.ValueTextEquals("bytesValue"u8))
            {
                var text = ctx.ReadString(ref reader, field);
                value = text is null ? null : TryBase64(text);
            }
            else if (reader.ValueTextEquals("arrayValue"u8))
            {
                value = ReadArrayValue(ref reader, ctx, field);
            }
            else if (reader.ValueTextEquals("kvlistValue"u8))
            {
                kvlist = [];
                if (JsonParseContext.StartObject(ref reader, field + ".kvlistValue"))
                {
                    while (JsonParseContext.NextProperty(ref reader))
                    {
                        if (reader.ValueTextEquals("values"u8) && JsonParseContext.StartArray(ref reader, field + ".kvlistValue.values"))
                        {
                            while (JsonParseContext.NextElement(ref reader))
                            {
                                ReadKeyValue(ref reader, ctx, field, "", kvlist);
                            }
                        }
                        else if (reader.TokenType == JsonTokenType.PropertyName)
                        {
                            JsonParseContext.SkipValue(ref reader);
                        }
                    }
                }
            }
            else
            {
                JsonParseContext.SkipValue(ref reader);
            }
        }

        return value;
    }

    private static object?[] ReadArrayValue(ref Utf8JsonReader reader, JsonParseContext ctx, string field)
    {
        var items = new List<object?>();
        if (!JsonParseContext.StartObject(ref reader, field + ".arrayValue"))
        {
            return [];
        }

        while (JsonParseContext.NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("values"u8) && JsonParseContext.StartArray(ref reader, field + ".arrayValue.values"))
            {
                while (JsonParseContext.NextElement(ref reader))
                {
                    if (reader.TokenType != JsonTokenType.StartObject)
                    {
                        throw JsonParseContext.WrongType(ref reader, field + ".arrayValue.values[]", JsonTokenType.StartObject);
                    }

                    // A key/value list inside an array has no key to flatten under: it is kept as "k=v" strings.
                    var item = ReadAnyValueBody(ref reader, ctx, field, out var nested);
                    items.Add(nested is null ? item : nested.Select(n => (object?)n.ToString()).ToArray());
                }
            }
            else if (reader.TokenType == JsonTokenType.PropertyName)
            {
                JsonParseContext.SkipValue(ref reader);
            }
        }

        return [.. items];
    }

    private static object TryBase64(string text)
    {
        var buffer = new byte[(text.Length * 3 / 4) + 3];
        return Convert.TryFromBase64String(text, buffer, out var written) ? buffer.AsSpan(0, written).ToArray() : text;
    }
}
