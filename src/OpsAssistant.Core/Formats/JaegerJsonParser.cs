using System.Text.Json;
using OpsAssistant.Core.Model;
using Attribute = OpsAssistant.Core.Model.Attribute;

namespace OpsAssistant.Core.Formats;

/// <summary>
/// Jaeger query API v1 (<c>{"data":[trace...]}</c> or one bare trace object): microsecond times, typed tags, logs,
/// CHILD_OF/FOLLOWS_FROM references and a process table that may come after the spans.
/// </summary>
internal static class JaegerJsonParser
{
    public static void ReadDataArray(ref Utf8JsonReader reader, JsonParseContext ctx)
    {
        if (!JsonParseContext.StartArray(ref reader, "data"))
        {
            return;
        }

        while (JsonParseContext.NextElement(ref reader))
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw JsonParseContext.WrongType(ref reader, "data[]", JsonTokenType.StartObject);
            }

            var trace = new JaegerTraceDraft();
            while (JsonParseContext.NextProperty(ref reader))
            {
                ReadTraceProperty(ref reader, ctx, trace);
            }

            trace.Emit(ctx);
        }
    }

    /// <summary>Reads one property of a trace object (also used for a bare trace at the top level).</summary>
    public static void ReadTraceProperty(ref Utf8JsonReader reader, JsonParseContext ctx, JaegerTraceDraft trace)
    {
        if (reader.ValueTextEquals("spans"u8))
        {
            if (!JsonParseContext.StartArray(ref reader, "spans"))
            {
                return;
            }

            ReadSpanArrayElements(ref reader, ctx, trace);
        }
        else if (reader.ValueTextEquals("processes"u8))
        {
            if (!JsonParseContext.StartObject(ref reader, "processes"))
            {
                return;
            }

            while (JsonParseContext.NextProperty(ref reader))
            {
                var key = ctx.Pool.Intern(reader.GetString() ?? "");
                trace.Processes[key] = ReadProcess(ref reader, ctx, "processes." + key);
            }
        }
        else
        {
            JsonParseContext.SkipValue(ref reader);
        }
    }

    /// <summary>Reads the elements of an array of Jaeger spans (the reader is on its StartArray).</summary>
    public static void ReadSpanArrayElements(ref Utf8JsonReader reader, JsonParseContext ctx, JaegerTraceDraft trace)
    {
        while (JsonParseContext.NextElement(ref reader))
        {
            trace.Spans.Add(ReadSpan(ref reader, ctx));
            ctx.EnsureRoomFor(trace.Spans.Count);
        }
    }

    private static Resource ReadProcess(ref Utf8JsonReader reader, JsonParseContext ctx, string field)
    {
        if (!JsonParseContext.StartObject(ref reader, field))
        {
            return Resource.Unknown;
        }

        string? service = null;
        Attribute[] tags = AttributeValues.Empty;
        while (JsonParseContext.NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("serviceName"u8))
            {
                service = ctx.ReadString(ref reader, field + ".serviceName");
            }
            else if (reader.ValueTextEquals("tags"u8))
            {
                tags = ReadTags(ref reader, ctx, field + ".tags");
            }
            else
            {
                JsonParseContext.SkipValue(ref reader);
            }
        }

        var attributes = new Attribute[tags.Length + 1];
        attributes[0] = new Attribute("service.name", service ?? Resource.UnknownService);
        tags.CopyTo(attributes, 1);
        return new Resource(service ?? Resource.UnknownService, attributes);
    }

    private static JaegerSpanDraft ReadSpan(ref Utf8JsonReader reader, JsonParseContext ctx)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw JsonParseContext.WrongType(ref reader, "spans[]", JsonTokenType.StartObject);
        }

        var d = new JaegerSpanDraft { Draft = { Context = ctx } };
        long? startMicros = null, durationMicros = null;
        while (JsonParseContext.NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("traceID"u8))
            {
                d.Draft.TraceId = ctx.ReadId(ref reader, "traceID", intern: true);
            }
            else if (reader.ValueTextEquals("spanID"u8))
            {
                d.Draft.SpanId = ctx.ReadId(ref reader, "spanID", intern: false);
            }
            else if (reader.ValueTextEquals("parentSpanID"u8))
            {
                d.Draft.ParentSpanId = ctx.ReadString(ref reader, "parentSpanID");
            }
            else if (reader.ValueTextEquals("operationName"u8))
            {
                d.Draft.Name = ctx.ReadString(ref reader, "operationName");
            }
            else if (reader.ValueTextEquals("startTime"u8))
            {
                startMicros = ctx.ReadInt64(ref reader, "startTime");
            }
            else if (reader.ValueTextEquals("duration"u8))
            {
                durationMicros = ctx.ReadInt64(ref reader, "duration");
            }
            else if (reader.ValueTextEquals("tags"u8))
            {
                d.Draft.Attributes = ReadTags(ref reader, ctx, "tags");
            }
            else if (reader.ValueTextEquals("logs"u8))
            {
                d.Draft.Events = ReadLogs(ref reader, ctx);
            }
            else if (reader.ValueTextEquals("references"u8))
            {
                ReadReferences(ref reader, ctx, d);
            }
            else if (reader.ValueTextEquals("processID"u8))
            {
                d.ProcessId = ctx.ReadString(ref reader, "processID");
            }
            else if (reader.ValueTextEquals("process"u8))
            {
                d.InlineProcess = ReadProcess(ref reader, ctx, "process");
            }
            else
            {
                JsonParseContext.SkipValue(ref reader);
            }
        }

        d.Draft.Start = MicrosToNanos(startMicros);
        d.Draft.End = startMicros is null ? null : MicrosToNanos(startMicros + Math.Max(0, durationMicros ?? 0));
        ApplyConventions(d.Draft);
        return d;
    }

    private static long? MicrosToNanos(long? micros) =>
        micros is null ? null : micros > long.MaxValue / 1000 ? long.MaxValue : micros < 0 ? -1 : micros * 1000;

    /// <summary>Maps the tags OpenTelemetry and Jaeger clients use for kind and status onto the model.</summary>
    private static void ApplyConventions(SpanDraft d)
    {
        var tags = d.Attributes;
        var kind = AttributeValues.FindString(tags, "span.kind");
        if (kind is not null)
        {
            d.Kind = OtlpJsonParser.ParseKindName(kind);
        }

        var otelStatus = AttributeValues.FindString(tags, "otel.status_code");
        if (string.Equals(otelStatus, "ERROR", StringComparison.OrdinalIgnoreCase) || AttributeValues.FindBool(tags, "error") == true)
        {
            d.Status = SpanStatusCode.Error;
        }
        else if (string.Equals(otelStatus, "OK", StringComparison.OrdinalIgnoreCase))
        {
            d.Status = SpanStatusCode.Ok;
        }

        d.StatusMessage = AttributeValues.FindString(tags, "otel.status_description") ?? AttributeValues.FindString(tags, "error.message") ?? d.StatusMessage;
    }

    private static void ReadReferences(ref Utf8JsonReader reader, JsonParseContext ctx, JaegerSpanDraft d)
    {
        if (!JsonParseContext.StartArray(ref reader, "references"))
        {
            return;
        }

        var refs = new List<(string Type, string? TraceId, string? SpanId)>();
        while (JsonParseContext.NextElement(ref reader))
        {
            string type = "CHILD_OF";
            string? traceId = null, spanId = null;
            while (JsonParseContext.NextProperty(ref reader))
            {
                if (reader.ValueTextEquals("refType"u8))
                {
                    type = ctx.ReadString(ref reader, "references[].refType") ?? "CHILD_OF";
                }
                else if (reader.ValueTextEquals("traceID"u8))
                {
                    traceId = ctx.ReadString(ref reader, "references[].traceID");
                }
                else if (reader.ValueTextEquals("spanID"u8))
                {
                    spanId = ctx.ReadString(ref reader, "references[].spanID");
                }
                else
                {
                    JsonParseContext.SkipValue(ref reader);
                }
            }

            refs.Add((type, traceId, spanId));
        }

        d.References = refs;
    }

    internal static Attribute[] ReadTags(ref Utf8JsonReader reader, JsonParseContext ctx, string field)
    {
        if (!JsonParseContext.StartArray(ref reader, field))
        {
            return AttributeValues.Empty;
        }

        var list = new List<Attribute>();
        while (JsonParseContext.NextElement(ref reader))
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw JsonParseContext.WrongType(ref reader, field + "[]", JsonTokenType.StartObject);
            }

            string? key = null;
            object? value = null;
            while (JsonParseContext.NextProperty(ref reader))
            {
                if (reader.ValueTextEquals("key"u8))
                {
                    key = ctx.ReadString(ref reader, field + "[].key");
                }
                else if (reader.ValueTextEquals("value"u8))
                {
                    JsonParseContext.Read(ref reader);
                    value = reader.TokenType switch
                    {
                        JsonTokenType.True => true,
                        JsonTokenType.False => false,
                        JsonTokenType.Number => reader.TryGetInt64(out var l) ? l : reader.GetDouble(),
                        JsonTokenType.Null => null,
                        JsonTokenType.String => ctx.ReadCurrentString(ref reader, field + "[].value"),
                        _ => SkipAndNull(ref reader),
                    };
                }
                else
                {
                    JsonParseContext.SkipValue(ref reader);
                }
            }

            if (!string.IsNullOrEmpty(key))
            {
                list.Add(new Attribute(key, value));
            }
        }

        return list.Count == 0 ? AttributeValues.Empty : [.. list];
    }

    private static object? SkipAndNull(ref Utf8JsonReader reader)
    {
        reader.Skip();
        return null;
    }

    private static List<SpanEvent> ReadLogs(ref Utf8JsonReader reader, JsonParseContext ctx)
    {
        var events = new List<SpanEvent>();
        if (!JsonParseContext.StartArray(ref reader, "logs"))
        {
            return events;
        }

        while (JsonParseContext.NextElement(ref reader))
        {
            long time = 0;
            Attribute[] fields = AttributeValues.Empty;
            while (JsonParseContext.NextProperty(ref reader))
            {
                if (reader.ValueTextEquals("timestamp"u8))
                {
                    time = Math.Max(0, MicrosToNanos(ctx.ReadInt64(ref reader, "logs[].timestamp")) ?? 0);
                }
                else if (reader.ValueTextEquals("fields"u8))
                {
                    fields = ReadTags(ref reader, ctx, "logs[].fields");
                }
                else
                {
                    JsonParseContext.SkipValue(ref reader);
                }
            }

            var name = AttributeValues.FindString(fields, "event")
                ?? (AttributeValues.Find(fields, "error.object") is not null || AttributeValues.Find(fields, "exception.type") is not null ? "exception" : "log");
            events.Add(new SpanEvent(name, time, fields));
        }

        return events;
    }
}
