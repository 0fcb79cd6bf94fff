using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using OpsAssistant.Core.Model;
using Attribute = OpsAssistant.Core.Model.Attribute;

namespace OpsAssistant.Core.Formats;

/// <summary>
/// Zipkin v2: a JSON array of spans, microsecond times, string tags, annotations, endpoints. Zipkin's client and server
/// halves of one RPC share a span ID; the model needs unique IDs, so the server half gets a derived ID and is parented on
/// the client half, and the server's own children are re-parented onto it (they ran inside the server).
/// </summary>
internal static class ZipkinJsonParser
{
    public static void ReadArray(ref Utf8JsonReader reader, JsonParseContext ctx)
    {
        var drafts = new List<ZipkinSpan>();
        while (JsonParseContext.NextElement(ref reader))
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw JsonParseContext.WrongType(ref reader, "[]", JsonTokenType.StartObject);
            }

            drafts.Add(ReadSpan(ref reader, ctx));
            ctx.EnsureRoomFor(drafts.Count);
        }

        Resolve(MergeFragments(drafts), ctx);
    }

    /// <summary>
    /// Zipkin reporters may send one span in several JSON objects (one with the timing, another with annotations or tags),
    /// and the Zipkin UI merges them. Fragments of the same span and side (client or server) are merged here the same way:
    /// earliest timestamp, longest duration, first name, union of tags and annotations.
    /// </summary>
    private static List<ZipkinSpan> MergeFragments(List<ZipkinSpan> drafts)
    {
        var merged = new List<ZipkinSpan>(drafts.Count);
        var index = new Dictionary<(string?, string?, string, bool), ZipkinSpan>();
        foreach (var z in drafts)
        {
            var serverSide = z.Shared || z.Draft.Kind == SpanKind.Server;
            var key = (z.Draft.TraceId?.ToLowerInvariant(), z.Draft.SpanId?.ToLowerInvariant(), z.Service, serverSide);
            if (!index.TryGetValue(key, out var into))
            {
                index[key] = z;
                merged.Add(z);
                continue;
            }

            var a = into.Draft;
            var b = z.Draft;
            if (b.Start is { } bs && (a.Start is null || bs < a.Start))
            {
                var length = (a.End ?? a.Start ?? bs) - (a.Start ?? bs);
                a.Start = bs;
                a.End = Math.Max(bs + Math.Max(0, length), b.End ?? bs);
            }
            else if (b.End is { } be && (a.End is null || be > a.End))
            {
                a.End = be;
            }

            a.Name = string.IsNullOrEmpty(a.Name) ? b.Name : a.Name;
            a.ParentSpanId ??= b.ParentSpanId;
            a.Kind = a.Kind == SpanKind.Unspecified ? b.Kind : a.Kind;
            a.Attributes = [.. a.Attributes, .. b.Attributes.Where(x => AttributeValues.Find(a.Attributes, x.Key) is null)];
            a.Events = [.. a.Events, .. b.Events];
            if (b.Status == SpanStatusCode.Error)
            {
                a.Status = SpanStatusCode.Error;
                a.StatusMessage ??= b.StatusMessage;
            }

            into.Shared |= z.Shared;
        }

        return merged;
    }

    /// <summary>Deterministic 16-hex ID for the server half of a shared span.</summary>
    internal static string DeriveServerId(string spanId) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(spanId + ":server")))[..16];

    private static void Resolve(List<ZipkinSpan> spans, JsonParseContext ctx)
    {
        var byKey = spans.GroupBy(s => (TraceIds.DecodeId(s.Draft.TraceId, 16), TraceIds.DecodeId(s.Draft.SpanId, 8)));
        var remap = new Dictionary<(string?, string?), (string ServerId, string ServerService)>();
        foreach (var group in byKey)
        {
            var list = group.ToList();
            if (list.Count < 2)
            {
                continue;
            }

            var server = list.FirstOrDefault(s => s.Draft.Kind == SpanKind.Server && s.Shared) ?? list.FirstOrDefault(s => s.Draft.Kind == SpanKind.Server);
            var client = list.FirstOrDefault(s => s != server && s.Draft.Kind != SpanKind.Server);
            if (server is null || client is null)
            {
                continue;
            }

            var originalId = group.Key.Item2!;
            var serverId = DeriveServerId(originalId);
            server.Draft.SpanId = serverId;
            server.Draft.ParentSpanId = originalId;
            remap[group.Key] = (serverId, server.Service);
        }

        foreach (var s in spans)
        {
            var key = (TraceIds.DecodeId(s.Draft.TraceId, 16), TraceIds.DecodeId(s.Draft.ParentSpanId, 8));
            if (remap.TryGetValue(key, out var target) && s.Draft.SpanId != target.ServerId && s.Service == target.ServerService)
            {
                s.Draft.ParentSpanId = target.ServerId;
            }

            ctx.AddSpan(s.Draft.Build(s.Resource, InstrumentationScope.Empty));
        }
    }

    private static ZipkinSpan ReadSpan(ref Utf8JsonReader reader, JsonParseContext ctx)
    {
        var z = new ZipkinSpan();
        var d = z.Draft;
        d.Context = ctx;
        long? timestamp = null, duration = null;
        var attributes = new List<Attribute>();
        while (JsonParseContext.NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("traceId"u8))
            {
                d.TraceId = ctx.ReadId(ref reader, "traceId", intern: true);
            }
            else if (reader.ValueTextEquals("id"u8))
            {
                d.SpanId = ctx.ReadId(ref reader, "id", intern: false);
            }
            else if (reader.ValueTextEquals("parentId"u8))
            {
                d.ParentSpanId = ctx.ReadId(ref reader, "parentId", intern: false);
            }
            else if (reader.ValueTextEquals("name"u8))
            {
                d.Name = ctx.ReadString(ref reader, "name");
            }
            else if (reader.ValueTextEquals("kind"u8))
            {
                d.Kind = OtlpJsonParser.ParseKindName(ctx.ReadString(ref reader, "kind") ?? "");
            }
            else if (reader.ValueTextEquals("timestamp"u8))
            {
                timestamp = ctx.ReadInt64(ref reader, "timestamp");
            }
            else if (reader.ValueTextEquals("duration"u8))
            {
                duration = ctx.ReadInt64(ref reader, "duration");
            }
            else if (reader.ValueTextEquals("shared"u8))
            {
                z.Shared = JsonParseContext.ReadBool(ref reader, "shared") == true;
            }
            else if (reader.ValueTextEquals("localEndpoint"u8))
            {
                z.Service = ReadEndpoint(ref reader, ctx, "localEndpoint", null) ?? z.Service;
            }
            else if (reader.ValueTextEquals("remoteEndpoint"u8))
            {
                ReadEndpoint(ref reader, ctx, "remoteEndpoint", attributes);
            }
            else if (reader.ValueTextEquals("tags"u8))
            {
                ReadTags(ref reader, ctx, attributes, d);
            }
            else if (reader.ValueTextEquals("annotations"u8))
            {
                d.Events = ReadAnnotations(ref reader, ctx);
            }
            else
            {
                JsonParseContext.SkipValue(ref reader);
            }
        }

        d.Attributes = attributes.Count == 0 ? AttributeValues.Empty : [.. attributes];
        d.Start = timestamp is null ? null : timestamp * 1000;
        d.End = timestamp is null ? null : (timestamp + Math.Max(0, duration ?? 0)) * 1000;
        z.Resource = ctx.Resources.GetOrAdd(z.Service);
        return z;
    }

    private static string? ReadEndpoint(ref Utf8JsonReader reader, JsonParseContext ctx, string field, List<Attribute>? remoteInto)
    {
        if (!JsonParseContext.StartObject(ref reader, field))
        {
            return null;
        }

        string? service = null;
        while (JsonParseContext.NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("serviceName"u8))
            {
                service = ctx.ReadString(ref reader, field + ".serviceName");
                if (remoteInto is not null && !string.IsNullOrEmpty(service))
                {
                    remoteInto.Add(new Attribute("peer.service", service));
                }
            }
            else if (reader.ValueTextEquals("ipv4"u8) || reader.ValueTextEquals("ipv6"u8))
            {
                var ip = ctx.ReadString(ref reader, field + ".ip");
                if (remoteInto is not null && ip is not null)
                {
                    remoteInto.Add(new Attribute("server.address", ip));
                }
            }
            else if (reader.ValueTextEquals("port"u8))
            {
                var port = ctx.ReadInt64(ref reader, field + ".port");
                if (remoteInto is not null && port is not null)
                {
                    remoteInto.Add(new Attribute("server.port", port.Value));
                }
            }
            else
            {
                JsonParseContext.SkipValue(ref reader);
            }
        }

        return service;
    }

    private static void ReadTags(ref Utf8JsonReader reader, JsonParseContext ctx, List<Attribute> into, SpanDraft d)
    {
        if (!JsonParseContext.StartObject(ref reader, "tags"))
        {
            return;
        }

        while (JsonParseContext.NextProperty(ref reader))
        {
            var key = ctx.Pool.Intern(reader.GetString() ?? "");
            var value = ctx.ReadString(ref reader, "tags." + key);
            into.Add(new Attribute(key, value));

            // Zipkin marks failure with an "error" tag whose value is the message (possibly empty).
            if (key == "error")
            {
                d.Status = SpanStatusCode.Error;
                d.StatusMessage = string.IsNullOrEmpty(value) || value == "true" ? d.StatusMessage : value;
            }
        }
    }

    private static List<SpanEvent> ReadAnnotations(ref Utf8JsonReader reader, JsonParseContext ctx)
    {
        var events = new List<SpanEvent>();
        if (!JsonParseContext.StartArray(ref reader, "annotations"))
        {
            return events;
        }

        while (JsonParseContext.NextElement(ref reader))
        {
            long time = 0;
            string value = "";
            while (JsonParseContext.NextProperty(ref reader))
            {
                if (reader.ValueTextEquals("timestamp"u8))
                {
                    time = Math.Max(0, (ctx.ReadInt64(ref reader, "annotations[].timestamp") ?? 0) * 1000);
                }
                else if (reader.ValueTextEquals("value"u8))
                {
                    value = ctx.ReadString(ref reader, "annotations[].value") ?? "";
                }
                else
                {
                    JsonParseContext.SkipValue(ref reader);
                }
            }

            events.Add(new SpanEvent(value, time, AttributeValues.Empty));
        }

        return events;
    }

    private sealed class ZipkinSpan
    {
        public SpanDraft Draft { get; } = new();

        public bool Shared { get; set; }

        public string Service { get; set; } = Resource.UnknownService;

        public Resource Resource { get; set; } = Resource.Unknown;
    }
}
