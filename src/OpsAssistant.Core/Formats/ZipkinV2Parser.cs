using System.Globalization;
using System.Text;
using System.Text.Json;
using OpsAssistant.Core.Model;
using Attribute = OpsAssistant.Core.Model.Attribute;

namespace OpsAssistant.Core.Formats;

/// <summary>
/// Reads Zipkin v2 JSON (an array of spans). µs → ns; one shared <see cref="Resource"/> per local service name;
/// the remote endpoint becomes <c>peer.service</c>, <c>net.peer.ip</c> and <c>net.peer.port</c>, the local endpoint's
/// address <c>net.host.ip</c>/<c>net.host.port</c>; an <c>error</c> tag (any value) sets the error status, its
/// non-empty value the status message; annotations become events.
/// <para>
/// Shared spans: Zipkin reports both halves of an RPC under one span ID, the server half flagged <c>shared</c>.
/// The model needs unique IDs, so the client half keeps the ID and the server half gets
/// <see cref="DeriveServerId"/>: the FNV-1a 64-bit hash of <c>"{id}/server"</c> as 16 hex digits (salted with a
/// counter in the unlikely event it collides), parented on the client half. Children that name the shared ID as
/// parent ran inside the server and move under the server half, unless they belong to the client's service alone.
/// </para>
/// </summary>
internal sealed class ZipkinV2Parser : IJsonLocation
{
    private readonly ReadContext _ctx;
    private readonly Dictionary<string, Resource> _resources = new(StringComparer.Ordinal);
    private readonly List<Draft> _drafts = [];
    private int _spanIndex = -1;

    public ZipkinV2Parser(ReadContext ctx)
    {
        _ctx = ctx;
    }

    public string PathOf(string? field) =>
        "$" + (_spanIndex >= 0 ? $"[{_spanIndex.ToString(CultureInfo.InvariantCulture)}]" : "") + (field is null ? "" : "." + field);

    public void ReadSpanArray(ref Utf8JsonReader r)
    {
        if (!_ctx.BeginArray(ref r, this, null))
        {
            return;
        }

        _spanIndex = -1;
        while (r.Read() && r.TokenType != JsonTokenType.EndArray)
        {
            _spanIndex++;
            ReadSpan(ref r);
        }

        _spanIndex = -1;
        Finish();
    }

    /// <summary>FNV-1a 64 of <c>"{id}/server"</c> (plus a salt after a collision), as 16 lower-case hex digits.</summary>
    internal static string DeriveServerId(string spanId, int salt)
    {
        var hash = 14695981039346656037UL;
        var text = salt == 0 ? spanId + "/server" : spanId + "/server/" + salt.ToString(CultureInfo.InvariantCulture);
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            hash ^= b;
            hash *= 1099511628211UL;
        }

        return hash.ToString("x16", CultureInfo.InvariantCulture);
    }

    private void ReadSpan(ref Utf8JsonReader r)
    {
        _ctx.ExpectObject(ref r, this, null);
        var draft = new Draft { Offset = r.TokenStartIndex, Path = PathOf(null) };
        long? timestamp = null, duration = null;
        string? timestampProblem = null, durationProblem = null;
        var badId = false;
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            if (r.ValueTextEquals("traceId"u8))
            {
                r.Read();
                ReadContext.TryReadId(ref r, 16, out draft.TraceId);
            }
            else if (r.ValueTextEquals("id"u8))
            {
                r.Read();
                badId = !ReadContext.TryReadId(ref r, 8, out draft.SpanId);
            }
            else if (r.ValueTextEquals("parentId"u8))
            {
                r.Read();
                ReadContext.TryReadId(ref r, 8, out draft.ParentId);
            }
            else if (r.ValueTextEquals("name"u8))
            {
                r.Read();
                draft.Name = _ctx.ReadName(ref r, this, "name");
            }
            else if (r.ValueTextEquals("kind"u8))
            {
                r.Read();
                draft.Kind = _ctx.ReadName(ref r, this, "kind").ToUpperInvariant() switch
                {
                    "CLIENT" => SpanKind.Client,
                    "SERVER" => SpanKind.Server,
                    "PRODUCER" => SpanKind.Producer,
                    "CONSUMER" => SpanKind.Consumer,
                    _ => SpanKind.Unspecified,
                };
            }
            else if (r.ValueTextEquals("timestamp"u8))
            {
                r.Read();
                timestamp = ReadContext.TryReadInt64(ref r, out var v, out timestampProblem) ? v : null;
            }
            else if (r.ValueTextEquals("duration"u8))
            {
                r.Read();
                duration = ReadContext.TryReadInt64(ref r, out var v, out durationProblem) ? v : null;
            }
            else if (r.ValueTextEquals("shared"u8))
            {
                r.Read();
                draft.Shared = r.TokenType == JsonTokenType.True;
            }
            else if (r.ValueTextEquals("localEndpoint"u8))
            {
                r.Read();
                var (service, ip, port) = ReadEndpoint(ref r, "localEndpoint");
                draft.Resource = ResourceFor(service);
                AddIfPresent(draft.Attributes, "net.host.ip", ip);
                AddIfPresent(draft.Attributes, "net.host.port", port);
            }
            else if (r.ValueTextEquals("remoteEndpoint"u8))
            {
                r.Read();
                var (service, ip, port) = ReadEndpoint(ref r, "remoteEndpoint");
                AddIfPresent(draft.Attributes, "peer.service", service);
                AddIfPresent(draft.Attributes, "net.peer.ip", ip);
                AddIfPresent(draft.Attributes, "net.peer.port", port);
            }
            else if (r.ValueTextEquals("tags"u8))
            {
                r.Read();
                ReadTags(ref r, draft);
            }
            else if (r.ValueTextEquals("annotations"u8))
            {
                r.Read();
                ReadAnnotations(ref r, draft);
            }
            else
            {
                r.Read();
                r.Skip();
            }
        }

        _ctx.Collector.CountSpan(draft.Offset);
        if (draft.TraceId is null)
        {
            _ctx.Collector.GlobalWarning($"span '{draft.Name}' at {draft.Path} dropped: no usable trace ID");
            return;
        }

        draft.TraceId = _ctx.Pool.Intern(draft.TraceId);
        if (draft.SpanId is null)
        {
            _ctx.Collector.Warn(draft.TraceId, $"span '{draft.Name}' at {draft.Path} dropped: {(badId ? "id is not hex" : "no id")}");
            return;
        }

        var start = timestamp is { } ts ? SpanTimes.MicrosToNanos(ts, out timestampProblem) : null;
        long? end = start;
        string? endProblem = null;
        if (start is not null && duration is { } d)
        {
            if (d < 0)
            {
                draft.Warnings.Add($"span {draft.SpanId}: negative duration {d.ToString(CultureInfo.InvariantCulture)} µs; set to 0");
            }
            else if (SpanTimes.MicrosToNanos(d, out endProblem) is { } dn && start.Value <= long.MaxValue - dn)
            {
                end = start.Value + dn;
            }
            else
            {
                end = null;
                endProblem ??= "overflows a 64-bit integer";
            }
        }
        else if (duration is null && durationProblem is not null and not "missing")
        {
            draft.Warnings.Add($"span {draft.SpanId}: duration {durationProblem}; set to 0");
        }

        (draft.Start, draft.End) = SpanTimes.Repair(start, timestampProblem, end, endProblem, draft.SpanId, draft.Warnings);
        _drafts.Add(draft);
    }

    private void Finish()
    {
        foreach (var trace in _drafts.GroupBy(d => d.TraceId!, StringComparer.Ordinal))
        {
            var drafts = trace.ToList();
            var traceId = trace.Key;
            SplitSharedSpans(traceId, drafts);
            foreach (var draft in drafts)
            {
                foreach (var warning in draft.Warnings)
                {
                    _ctx.Collector.Warn(traceId, warning);
                }

                _ctx.Collector.Add(draft.ToSpan());
            }
        }
    }

    private void SplitSharedSpans(string traceId, List<Draft> drafts)
    {
        var byId = drafts.GroupBy(d => d.SpanId!, StringComparer.Ordinal).Where(g => g.Count() > 1).ToList();
        if (byId.Count == 0)
        {
            return;
        }

        var taken = new HashSet<string>(drafts.Select(d => d.SpanId!), StringComparer.Ordinal);
        foreach (var group in byId)
        {
            var server = group.FirstOrDefault(d => d.Shared);
            var client = group.FirstOrDefault(d => !d.Shared);
            if (server is null || client is null)
            {
                // No shared flag (old instrumentation): fall back on the halves' kinds.
                server = group.FirstOrDefault(d => d.Kind is SpanKind.Server or SpanKind.Consumer);
                client = group.FirstOrDefault(d => d.Kind is SpanKind.Client or SpanKind.Producer);
                if (server is null || client is null)
                {
                    continue; // A plain duplicate: the collector keeps the first and warns.
                }

                _ctx.Collector.Warn(traceId, $"span {group.Key}: two halves without the 'shared' flag; treated as client and server of one RPC by their kinds");
            }

            var sharedId = group.Key;
            var salt = 0;
            var derived = DeriveServerId(sharedId, salt);
            while (!taken.Add(derived))
            {
                derived = DeriveServerId(sharedId, ++salt);
            }

            server.SpanId = derived;
            server.ParentId = sharedId;

            var clientService = client.Resource.ServiceName;
            var serverService = server.Resource.ServiceName;
            var ambiguous = false;
            foreach (var child in drafts)
            {
                if (ReferenceEquals(child, server) || child.ParentId != sharedId)
                {
                    continue;
                }

                if (child.Resource.ServiceName == clientService && clientService != serverService)
                {
                    continue; // It ran in the caller, beside the client half.
                }

                ambiguous |= clientService == serverService;
                child.ParentId = derived;
            }

            if (ambiguous)
            {
                _ctx.Collector.Warn(traceId, $"span {sharedId}: both halves report service '{serverService}'; its children were placed under the server half {derived}");
            }
        }
    }

    private (string? Service, string? Ip, object? Port) ReadEndpoint(ref Utf8JsonReader r, string field)
    {
        if (!_ctx.BeginObject(ref r, this, field))
        {
            return (null, null, null);
        }

        string? service = null, ipv4 = null, ipv6 = null;
        object? port = null;
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            if (r.ValueTextEquals("serviceName"u8))
            {
                r.Read();
                service = _ctx.ReadOptionalName(ref r, this, field + ".serviceName");
            }
            else if (r.ValueTextEquals("ipv4"u8))
            {
                r.Read();
                ipv4 = _ctx.ReadOptionalName(ref r, this, field + ".ipv4");
            }
            else if (r.ValueTextEquals("ipv6"u8))
            {
                r.Read();
                ipv6 = _ctx.ReadOptionalName(ref r, this, field + ".ipv6");
            }
            else if (r.ValueTextEquals("port"u8))
            {
                r.Read();
                port = ReadContext.TryReadInt64(ref r, out var p, out _) && p > 0 ? AttributeBoxes.Box(p) : null;
            }
            else
            {
                r.Read();
                r.Skip();
            }
        }

        return (string.IsNullOrEmpty(service) ? null : service, string.IsNullOrEmpty(ipv4) ? ipv6 : ipv4, port);
    }

    private Resource ResourceFor(string? service)
    {
        if (service is null)
        {
            return Resource.Unknown;
        }

        if (!_resources.TryGetValue(service, out var resource))
        {
            resource = new Resource(service, [new Attribute("service.name", service)]);
            _resources.Add(service, resource);
        }

        return resource;
    }

    private void ReadTags(ref Utf8JsonReader r, Draft draft)
    {
        if (!_ctx.BeginObject(ref r, this, "tags"))
        {
            return;
        }

        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            var key = _ctx.ReadPooled(ref r);
            r.Read();
            string value;
            if (r.TokenType == JsonTokenType.String)
            {
                value = _ctx.ReadValueString(ref r, out var originalLength);
                if (originalLength >= 0)
                {
                    draft.Warnings.Add(
                        $"tag '{key}' at {PathOf("tags")}: value of {originalLength.ToString(CultureInfo.InvariantCulture)} chars truncated to " +
                        $"{_ctx.Options.MaxAttributeValueLength.ToString(CultureInfo.InvariantCulture)} (TraceReadOptions.MaxAttributeValueLength)");
                }
            }
            else if (r.TokenType is JsonTokenType.Number or JsonTokenType.True or JsonTokenType.False or JsonTokenType.Null)
            {
                // Zipkin tags are strings; some tracers send numbers and booleans anyway. Keep their text.
                value = _ctx.ReadName(ref r, this, "tags." + key);
            }
            else
            {
                throw _ctx.TypeError(ref r, "a string tag value", this, "tags." + key);
            }

            if (key == "error")
            {
                draft.Status = SpanStatusCode.Error;
                draft.StatusMessage = value.Length == 0 ? null : value;
            }

            draft.Attributes.Add(new Attribute(key, value));
        }
    }

    private void ReadAnnotations(ref Utf8JsonReader r, Draft draft)
    {
        if (!_ctx.BeginArray(ref r, this, "annotations"))
        {
            return;
        }

        while (r.Read() && r.TokenType != JsonTokenType.EndArray)
        {
            _ctx.ExpectObject(ref r, this, "annotations[]");
            long time = 0;
            var value = string.Empty;
            while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
            {
                if (r.ValueTextEquals("timestamp"u8))
                {
                    r.Read();
                    if (!ReadContext.TryReadInt64(ref r, out var micros, out var problem) || micros < 0 || SpanTimes.MicrosToNanos(micros, out problem) is not { } nanos)
                    {
                        draft.Warnings.Add($"annotation at {PathOf("annotations")}: timestamp {problem ?? "is negative"}; set to 0");
                    }
                    else
                    {
                        time = nanos;
                    }
                }
                else if (r.ValueTextEquals("value"u8))
                {
                    r.Read();
                    value = _ctx.ReadName(ref r, this, "annotations[].value");
                }
                else
                {
                    r.Read();
                    r.Skip();
                }
            }

            draft.Events.Add(new SpanEvent(value, time, AttributeValues.Empty));
        }
    }

    private static void AddIfPresent(List<Attribute> attributes, string key, object? value)
    {
        if (value is not null)
        {
            attributes.Add(new Attribute(key, value));
        }
    }

    /// <summary>A span as read, mutable until shared halves are split and children re-parented.</summary>
    private sealed class Draft
    {
        public string? TraceId;
        public string? SpanId;
        public string? ParentId;
        public string Name = string.Empty;
        public SpanKind Kind;
        public long Start;
        public long End;
        public bool Shared;
        public SpanStatusCode Status;
        public string? StatusMessage;
        public Resource Resource = Resource.Unknown;
        public long Offset;
        public string Path = string.Empty;
        public readonly List<Attribute> Attributes = [];
        public readonly List<SpanEvent> Events = [];
        public readonly List<string> Warnings = [];

        public Span ToSpan() => new()
        {
            TraceId = TraceId!,
            SpanId = SpanId!,
            ParentSpanId = ParentId,
            Name = Name,
            Kind = Kind,
            StartUnixNano = Start,
            EndUnixNano = End,
            Status = Status,
            StatusMessage = StatusMessage,
            Resource = Resource,
            Attributes = Attributes.Count == 0 ? AttributeValues.Empty : Attributes.ToArray(),
            Events = Events.Count == 0 ? [] : Events.ToArray(),
        };
    }
}
