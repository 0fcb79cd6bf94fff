using System.Globalization;
using System.Text;
using System.Text.Json;
using OpsAssistant.Core.Model;
using Attribute = OpsAssistant.Core.Model.Attribute;

namespace OpsAssistant.Core.Formats;

/// <summary>
/// Reads OTLP/JSON resource spans (also Tempo's <c>batches</c> and the older <c>instrumentationLibrarySpans</c> names,
/// and the OTLP inside Jaeger API v3) straight off a <see cref="Utf8JsonReader"/>.
/// <para>
/// A <c>kvlistValue</c> attribute is flattened into one attribute per entry named <c>key.subkey</c> (recursively),
/// the shape the OpenTelemetry SDKs use for maps; a kvlist nested inside an <c>arrayValue</c> cannot be flattened and
/// becomes a string <c>{k=v, ...}</c>. Link attribute <c>opentracing.ref_type</c> becomes <see cref="SpanLink.Kind"/>.
/// </para>
/// </summary>
internal sealed class OtlpJsonParser : IJsonLocation
{
    /// <summary>Link attribute that carries <see cref="SpanLink.Kind"/> in OTLP (the name Jaeger's translator uses).</summary>
    internal const string RefTypeAttribute = "opentracing.ref_type";

    /// <summary>
    /// Link attribute the writer sets on the link it emits for a FOLLOWS_FROM parent, so that
    /// <see cref="Span.ParentIsFollowsFrom"/> survives a round trip through OTLP, which has no such field.
    /// </summary>
    internal const string ParentLinkMarker = "opsassistant.link.is_parent";

    private readonly ReadContext _ctx;
    private readonly string _root;
    private readonly List<string> _spanWarnings = [];
    private readonly Stack<List<Attribute>> _scratch = new();
    private readonly Dictionary<string, Resource> _resources = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Name, string? Version), InstrumentationScope> _scopes = [];
    private string _scopesName = "scopeSpans";
    private int _resourceIndex = -1;
    private int _scopeIndex = -1;
    private int _spanIndex = -1;

    public OtlpJsonParser(ReadContext ctx, string root)
    {
        _ctx = ctx;
        _root = root;
    }

    public string PathOf(string? field)
    {
        var path = new StringBuilder(_root);
        if (_resourceIndex >= 0)
        {
            path.Append(CultureInfo.InvariantCulture, $"[{_resourceIndex}]");
            if (_scopeIndex >= 0)
            {
                path.Append(CultureInfo.InvariantCulture, $".{_scopesName}[{_scopeIndex}]");
                if (_spanIndex >= 0)
                {
                    path.Append(CultureInfo.InvariantCulture, $".spans[{_spanIndex}]");
                }
            }
        }

        if (field is not null)
        {
            path.Append('.').Append(field);
        }

        return path.ToString();
    }

    /// <summary>Reads the value of <c>resourceSpans</c>/<c>batches</c>: an array of ResourceSpans (null = none).</summary>
    public void ReadResourceSpansArray(ref Utf8JsonReader r)
    {
        if (!_ctx.BeginArray(ref r, this, null))
        {
            return;
        }

        _resourceIndex = -1;
        while (r.Read() && r.TokenType != JsonTokenType.EndArray)
        {
            _resourceIndex++;
            _scopeIndex = -1;
            _spanIndex = -1;
            ReadResourceSpans(ref r);
        }

        _resourceIndex = -1;
        _scopeIndex = -1;
        _spanIndex = -1;
    }

    private void ReadResourceSpans(ref Utf8JsonReader r)
    {
        _ctx.ExpectObject(ref r, this, null);

        // The whole input is in memory, so a copy of the reader is a free bookmark: look ahead for "resource"
        // wherever it sits in the object, and every span can point at its Resource as soon as it is read.
        var resource = FindResource(r);
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            if (r.ValueTextEquals("scopeSpans"u8) || r.ValueTextEquals("instrumentationLibrarySpans"u8))
            {
                _scopesName = r.ValueTextEquals("scopeSpans"u8) ? "scopeSpans" : "instrumentationLibrarySpans";
                r.Read();
                if (_ctx.BeginArray(ref r, this, _scopesName))
                {
                    _scopeIndex = -1;
                    while (r.Read() && r.TokenType != JsonTokenType.EndArray)
                    {
                        _scopeIndex++;
                        _spanIndex = -1;
                        ReadScopeSpans(ref r, resource);
                    }

                    _scopeIndex = -1;
                }
            }
            else
            {
                r.Read();
                r.Skip();
            }
        }
    }

    private Resource FindResource(Utf8JsonReader look)
    {
        while (look.Read() && look.TokenType == JsonTokenType.PropertyName)
        {
            if (look.ValueTextEquals("resource"u8))
            {
                look.Read();
                return ReadResource(ref look);
            }

            look.Read();
            look.Skip();
        }

        return Resource.Unknown;
    }

    private Resource ReadResource(ref Utf8JsonReader r)
    {
        if (!_ctx.BeginObject(ref r, this, "resource"))
        {
            return Resource.Unknown;
        }

        Attribute[] attributes = AttributeValues.Empty;
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            if (r.ValueTextEquals("attributes"u8))
            {
                r.Read();
                attributes = ReadAttributes(ref r, "resource.attributes");
            }
            else
            {
                r.Read();
                r.Skip();
            }
        }

        // Tempo splits one process's spans over many batches: share one Resource per distinct attribute set.
        var signature = Signature(attributes);
        if (!_resources.TryGetValue(signature, out var resource))
        {
            var serviceName = AttributeValues.FindString(attributes, "service.name") ?? Resource.UnknownService;
            resource = attributes.Length == 0 ? Resource.Unknown : new Resource(_ctx.Pool.Intern(serviceName), attributes);
            _resources.Add(signature, resource);
        }

        return resource;
    }

    private void ReadScopeSpans(ref Utf8JsonReader r, Resource resource)
    {
        _ctx.ExpectObject(ref r, this, null);
        var scope = FindScope(r);
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            if (r.ValueTextEquals("spans"u8))
            {
                r.Read();
                if (_ctx.BeginArray(ref r, this, "spans"))
                {
                    _spanIndex = -1;
                    while (r.Read() && r.TokenType != JsonTokenType.EndArray)
                    {
                        _spanIndex++;
                        ReadSpan(ref r, resource, scope);
                    }

                    _spanIndex = -1;
                }
            }
            else
            {
                r.Read();
                r.Skip();
            }
        }
    }

    private InstrumentationScope FindScope(Utf8JsonReader look)
    {
        while (look.Read() && look.TokenType == JsonTokenType.PropertyName)
        {
            if (look.ValueTextEquals("scope"u8) || look.ValueTextEquals("instrumentationLibrary"u8))
            {
                look.Read();
                return ReadScope(ref look);
            }

            look.Read();
            look.Skip();
        }

        return InstrumentationScope.Empty;
    }

    private InstrumentationScope ReadScope(ref Utf8JsonReader r)
    {
        if (!_ctx.BeginObject(ref r, this, "scope"))
        {
            return InstrumentationScope.Empty;
        }

        var name = string.Empty;
        string? version = null;
        Attribute[] attributes = AttributeValues.Empty;
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            if (r.ValueTextEquals("name"u8))
            {
                r.Read();
                name = _ctx.ReadName(ref r, this, "scope.name");
            }
            else if (r.ValueTextEquals("version"u8))
            {
                r.Read();
                version = _ctx.ReadOptionalName(ref r, this, "scope.version");
                version = string.IsNullOrEmpty(version) ? null : version;
            }
            else if (r.ValueTextEquals("attributes"u8))
            {
                r.Read();
                attributes = ReadAttributes(ref r, "scope.attributes");
            }
            else
            {
                r.Read();
                r.Skip();
            }
        }

        if (attributes.Length > 0)
        {
            return new InstrumentationScope(name, version, attributes);
        }

        if (name.Length == 0 && version is null)
        {
            return InstrumentationScope.Empty;
        }

        if (!_scopes.TryGetValue((name, version), out var scope))
        {
            scope = new InstrumentationScope(name, version);
            _scopes.Add((name, version), scope);
        }

        return scope;
    }

    private void ReadSpan(ref Utf8JsonReader r, Resource resource, InstrumentationScope scope)
    {
        _ctx.ExpectObject(ref r, this, null);
        var spanOffset = r.TokenStartIndex;
        _spanWarnings.Clear();
        string? traceId = null, spanId = null, parentId = null, traceState = null, statusMessage = null;
        bool badTraceId = false, badSpanId = false;
        var name = string.Empty;
        var kind = SpanKind.Unspecified;
        var status = SpanStatusCode.Unset;
        long? start = null, end = null;
        string? startProblem = null, endProblem = null;
        Attribute[] attributes = AttributeValues.Empty;
        IReadOnlyList<SpanEvent> events = [];
        List<SpanLink>? links = null;
        string? followsFromParent = null;

        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            if (r.ValueTextEquals("traceId"u8))
            {
                r.Read();
                badTraceId = !ReadContext.TryReadId(ref r, 16, out traceId);
            }
            else if (r.ValueTextEquals("spanId"u8))
            {
                r.Read();
                badSpanId = !ReadContext.TryReadId(ref r, 8, out spanId);
            }
            else if (r.ValueTextEquals("parentSpanId"u8))
            {
                r.Read();
                if (!ReadContext.TryReadId(ref r, 8, out parentId))
                {
                    _spanWarnings.Add($"span at {PathOf("parentSpanId")}: parent span ID is neither hex nor base64; treated as a root");
                }
            }
            else if (r.ValueTextEquals("name"u8))
            {
                r.Read();
                name = _ctx.ReadName(ref r, this, "name");
            }
            else if (r.ValueTextEquals("kind"u8))
            {
                r.Read();
                kind = ReadKind(ref r);
            }
            else if (r.ValueTextEquals("startTimeUnixNano"u8))
            {
                r.Read();
                start = ReadContext.TryReadInt64(ref r, out var v, out startProblem) ? v : null;
            }
            else if (r.ValueTextEquals("endTimeUnixNano"u8))
            {
                r.Read();
                end = ReadContext.TryReadInt64(ref r, out var v, out endProblem) ? v : null;
            }
            else if (r.ValueTextEquals("attributes"u8))
            {
                r.Read();
                attributes = ReadAttributes(ref r, "attributes");
            }
            else if (r.ValueTextEquals("events"u8))
            {
                r.Read();
                events = ReadEvents(ref r);
            }
            else if (r.ValueTextEquals("links"u8))
            {
                r.Read();
                links = ReadLinks(ref r, out followsFromParent);
            }
            else if (r.ValueTextEquals("status"u8))
            {
                r.Read();
                (status, statusMessage) = ReadStatus(ref r);
            }
            else if (r.ValueTextEquals("traceState"u8))
            {
                r.Read();
                traceState = _ctx.ReadOptionalName(ref r, this, "traceState");
                traceState = string.IsNullOrEmpty(traceState) ? null : traceState;
            }
            else
            {
                r.Read();
                r.Skip();
            }
        }

        _ctx.Collector.CountSpan(spanOffset);
        if (traceId is null)
        {
            _ctx.Collector.GlobalWarning($"span at {PathOf(null)} dropped: {(badTraceId ? "trace ID is neither hex nor base64" : "no trace ID")}");
            return;
        }

        if (spanId is null)
        {
            _ctx.Collector.Warn(traceId, $"span '{name}' at {PathOf(null)} dropped: {(badSpanId ? "span ID is neither hex nor base64" : "no span ID")}");
            return;
        }

        var (startNano, endNano) = SpanTimes.Repair(start, startProblem, end, endProblem, spanId, _spanWarnings);
        var parentIsFollowsFrom = false;
        if (followsFromParent is not null && string.Equals(followsFromParent, parentId, StringComparison.Ordinal))
        {
            parentIsFollowsFrom = true;
        }
        else if (followsFromParent is not null)
        {
            // The marker named a span that is not the parent: keep it as the ordinary link it also is.
            links ??= [];
            links.Add(new SpanLink(traceId, followsFromParent, AttributeValues.Empty, "follows_from"));
        }

        foreach (var warning in _spanWarnings)
        {
            _ctx.Collector.Warn(traceId, warning);
        }

        _ctx.Collector.Add(new Span
        {
            TraceId = _ctx.Pool.Intern(traceId),
            SpanId = spanId,
            ParentSpanId = parentId,
            ParentIsFollowsFrom = parentIsFollowsFrom,
            Name = name,
            Kind = kind,
            StartUnixNano = startNano,
            EndUnixNano = endNano,
            Status = status,
            StatusMessage = statusMessage,
            Resource = resource,
            Scope = scope,
            Attributes = attributes,
            Events = events,
            Links = links is null ? [] : links.ToArray(),
            TraceState = traceState,
        });
    }

    private SpanKind ReadKind(ref Utf8JsonReader r)
    {
        if (r.TokenType == JsonTokenType.Number && r.TryGetInt32(out var number) && number is >= 0 and <= 5)
        {
            return (SpanKind)number;
        }

        if (r.TokenType == JsonTokenType.String)
        {
            var text = _ctx.ReadPooled(ref r);
            var bare = text.StartsWith("SPAN_KIND_", StringComparison.OrdinalIgnoreCase) ? text["SPAN_KIND_".Length..] : text;
            if (int.TryParse(bare, NumberStyles.None, CultureInfo.InvariantCulture, out number) && number is >= 0 and <= 5)
            {
                return (SpanKind)number;
            }

            if (Enum.TryParse<SpanKind>(bare, ignoreCase: true, out var kind) && Enum.IsDefined(kind))
            {
                return kind;
            }
        }
        else if (r.TokenType == JsonTokenType.Null)
        {
            return SpanKind.Unspecified;
        }

        _spanWarnings.Add($"span at {PathOf("kind")}: unknown span kind {Raw(ref r)}; treated as unspecified");
        return SpanKind.Unspecified;
    }

    private (SpanStatusCode Code, string? Message) ReadStatus(ref Utf8JsonReader r)
    {
        if (!_ctx.BeginObject(ref r, this, "status"))
        {
            return (SpanStatusCode.Unset, null);
        }

        var code = SpanStatusCode.Unset;
        string? message = null;
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            if (r.ValueTextEquals("code"u8))
            {
                r.Read();
                code = ReadStatusCode(ref r);
            }
            else if (r.ValueTextEquals("message"u8))
            {
                r.Read();
                message = r.TokenType == JsonTokenType.Null ? null : _ctx.ReadValueString(ref r, out _);
                message = string.IsNullOrEmpty(message) ? null : message;
            }
            else
            {
                r.Read();
                r.Skip();
            }
        }

        return (code, message);
    }

    private SpanStatusCode ReadStatusCode(ref Utf8JsonReader r)
    {
        if (r.TokenType == JsonTokenType.Number && r.TryGetInt32(out var number) && number is >= 0 and <= 2)
        {
            return (SpanStatusCode)number;
        }

        if (r.TokenType == JsonTokenType.String)
        {
            var text = _ctx.ReadPooled(ref r);
            var bare = text.StartsWith("STATUS_CODE_", StringComparison.OrdinalIgnoreCase) ? text["STATUS_CODE_".Length..] : text;
            if (int.TryParse(bare, NumberStyles.None, CultureInfo.InvariantCulture, out number) && number is >= 0 and <= 2)
            {
                return (SpanStatusCode)number;
            }

            if (Enum.TryParse<SpanStatusCode>(bare, ignoreCase: true, out var code) && Enum.IsDefined(code))
            {
                return code;
            }
        }
        else if (r.TokenType == JsonTokenType.Null)
        {
            return SpanStatusCode.Unset;
        }

        _spanWarnings.Add($"span at {PathOf("status.code")}: unknown status code {Raw(ref r)}; treated as unset");
        return SpanStatusCode.Unset;
    }

    private SpanEvent[] ReadEvents(ref Utf8JsonReader r)
    {
        if (!_ctx.BeginArray(ref r, this, "events"))
        {
            return [];
        }

        var events = new List<SpanEvent>();
        while (r.Read() && r.TokenType != JsonTokenType.EndArray)
        {
            _ctx.ExpectObject(ref r, this, "events[]");
            var name = string.Empty;
            long time = 0;
            Attribute[] attributes = AttributeValues.Empty;
            while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
            {
                if (r.ValueTextEquals("name"u8))
                {
                    r.Read();
                    name = _ctx.ReadName(ref r, this, "events[].name");
                }
                else if (r.ValueTextEquals("timeUnixNano"u8))
                {
                    r.Read();
                    if (!ReadContext.TryReadInt64(ref r, out time, out var problem) || time < 0)
                    {
                        _spanWarnings.Add($"event '{name}' at {PathOf("events")}: time {problem ?? "is negative"}; set to 0");
                        time = 0;
                    }
                }
                else if (r.ValueTextEquals("attributes"u8))
                {
                    r.Read();
                    attributes = ReadAttributes(ref r, "events[].attributes");
                }
                else
                {
                    r.Read();
                    r.Skip();
                }
            }

            events.Add(new SpanEvent(name, time, attributes));
        }

        return events.ToArray();
    }

    private List<SpanLink>? ReadLinks(ref Utf8JsonReader r, out string? followsFromParent)
    {
        followsFromParent = null;
        if (!_ctx.BeginArray(ref r, this, "links"))
        {
            return null;
        }

        var links = new List<SpanLink>();
        while (r.Read() && r.TokenType != JsonTokenType.EndArray)
        {
            _ctx.ExpectObject(ref r, this, "links[]");
            string? traceId = null, spanId = null;
            Attribute[] attributes = AttributeValues.Empty;
            while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
            {
                if (r.ValueTextEquals("traceId"u8))
                {
                    r.Read();
                    ReadContext.TryReadId(ref r, 16, out traceId);
                }
                else if (r.ValueTextEquals("spanId"u8))
                {
                    r.Read();
                    ReadContext.TryReadId(ref r, 8, out spanId);
                }
                else if (r.ValueTextEquals("attributes"u8))
                {
                    r.Read();
                    attributes = ReadAttributes(ref r, "links[].attributes");
                }
                else
                {
                    r.Read();
                    r.Skip();
                }
            }

            if (traceId is null || spanId is null)
            {
                _spanWarnings.Add($"link at {PathOf("links")} dropped: missing or invalid trace or span ID");
                continue;
            }

            if (AttributeValues.FindBool(attributes, ParentLinkMarker) == true)
            {
                followsFromParent = spanId;
                continue;
            }

            string? kind = null;
            if (AttributeValues.Find(attributes, RefTypeAttribute) is string refType)
            {
                kind = refType;
                attributes = attributes.Where(a => a.Key != RefTypeAttribute).ToArray();
            }

            links.Add(new SpanLink(_ctx.Pool.Intern(traceId), spanId, attributes, kind));
        }

        return links;
    }

    /// <summary>Reads an array of OTLP KeyValue objects into an attribute array (null = none).</summary>
    internal Attribute[] ReadAttributes(ref Utf8JsonReader r, string field)
    {
        if (!_ctx.BeginArray(ref r, this, field))
        {
            return AttributeValues.Empty;
        }

        var list = RentList();
        try
        {
            ReadKeyValues(ref r, prefix: null, list, field);
            return list.Count == 0 ? AttributeValues.Empty : list.ToArray();
        }
        finally
        {
            ReturnList(list);
        }
    }

    /// <summary>Reads KeyValue objects up to the array's end into <paramref name="sink"/>, flattening kvlists.</summary>
    private void ReadKeyValues(ref Utf8JsonReader r, string? prefix, List<Attribute> sink, string field)
    {
        while (r.Read() && r.TokenType != JsonTokenType.EndArray)
        {
            _ctx.ExpectObject(ref r, this, field + "[]");
            string? key = null;
            object? value = null;
            List<Attribute>? nested = null;
            while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
            {
                if (r.ValueTextEquals("key"u8))
                {
                    r.Read();
                    key = _ctx.ReadName(ref r, this, field + "[].key");
                }
                else if (r.ValueTextEquals("value"u8))
                {
                    r.Read();
                    value = ReadAnyValue(ref r, field, key, allowFlatten: true, out nested);
                }
                else
                {
                    r.Read();
                    r.Skip();
                }
            }

            key ??= string.Empty;
            var fullKey = prefix is null ? key : _ctx.Pool.Intern(string.Concat(prefix, ".", key));
            if (nested is not null)
            {
                if (nested.Count == 0)
                {
                    sink.Add(new Attribute(fullKey, null));
                }

                // The kvlist was read before its key was known (members may come in any order): prefix now.
                foreach (var member in nested)
                {
                    sink.Add(new Attribute(_ctx.Pool.Intern(string.Concat(fullKey, ".", member.Key)), member.Value));
                }

                ReturnList(nested);
            }
            else
            {
                sink.Add(new Attribute(fullKey, value));
            }
        }
    }

    /// <summary>Reads an AnyValue object. A kvlist is returned in <paramref name="flattened"/> (relative keys) when allowed.</summary>
    private object? ReadAnyValue(ref Utf8JsonReader r, string field, string? key, bool allowFlatten, out List<Attribute>? flattened)
    {
        flattened = null;
        if (!_ctx.BeginObject(ref r, this, field + "[].value"))
        {
            return null;
        }

        object? value = null;
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            if (r.ValueTextEquals("stringValue"u8))
            {
                r.Read();
                value = ReadStringValue(ref r, key);
            }
            else if (r.ValueTextEquals("boolValue"u8))
            {
                r.Read();
                value = r.TokenType switch
                {
                    JsonTokenType.True => AttributeBoxes.Box(true),
                    JsonTokenType.False => AttributeBoxes.Box(false),
                    JsonTokenType.String when bool.TryParse(r.GetString(), out var b) => AttributeBoxes.Box(b),
                    _ => throw _ctx.TypeError(ref r, "a boolean for boolValue", this, field),
                };
            }
            else if (r.ValueTextEquals("intValue"u8))
            {
                r.Read();
                if (!ReadContext.TryReadInt64(ref r, out var l, out var problem))
                {
                    throw _ctx.Error($"intValue of attribute '{key}' {problem}", r.TokenStartIndex, PathOf(field));
                }

                value = AttributeBoxes.Box(l);
            }
            else if (r.ValueTextEquals("doubleValue"u8))
            {
                r.Read();
                value = ReadDouble(ref r, key, field);
            }
            else if (r.ValueTextEquals("bytesValue"u8))
            {
                r.Read();
                value = ReadBytes(ref r, key, field);
            }
            else if (r.ValueTextEquals("arrayValue"u8))
            {
                r.Read();
                value = ReadArrayValue(ref r, key, field);
            }
            else if (r.ValueTextEquals("kvlistValue"u8))
            {
                r.Read();
                var members = RentList();
                if (_ctx.BeginObject(ref r, this, field + "[].value.kvlistValue"))
                {
                    while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
                    {
                        r.Read();
                        if (_ctx.BeginArray(ref r, this, field + "[].value.kvlistValue.values"))
                        {
                            ReadKeyValues(ref r, null, members, field);
                        }
                    }
                }

                if (allowFlatten)
                {
                    flattened = members;
                    value = null;
                }
                else
                {
                    value = "{" + string.Join(", ", members.Select(m => m.ToString())) + "}";
                    ReturnList(members);
                }
            }
            else
            {
                r.Read();
                r.Skip();
            }
        }

        return value;
    }

    private string ReadStringValue(ref Utf8JsonReader r, string? key)
    {
        if (r.TokenType != JsonTokenType.String)
        {
            return r.TokenType == JsonTokenType.Null ? string.Empty : Raw(ref r);
        }

        var text = _ctx.ReadValueString(ref r, out var originalLength);
        if (originalLength >= 0)
        {
            _spanWarnings.Add(
                $"attribute '{key}' at {PathOf(null)}: value of {originalLength.ToString(CultureInfo.InvariantCulture)} chars truncated to " +
                $"{_ctx.Options.MaxAttributeValueLength.ToString(CultureInfo.InvariantCulture)} (TraceReadOptions.MaxAttributeValueLength)");
        }

        return text;
    }

    private object ReadDouble(ref Utf8JsonReader r, string? key, string field)
    {
        if (r.TokenType == JsonTokenType.Number && r.TryGetDouble(out var d))
        {
            return d;
        }

        if (r.TokenType == JsonTokenType.String)
        {
            // Proto3 JSON writes the special values as strings.
            var text = r.GetString();
            if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out d))
            {
                return d;
            }

            switch (text)
            {
                case "NaN": return double.NaN;
                case "Infinity": return double.PositiveInfinity;
                case "-Infinity": return double.NegativeInfinity;
            }
        }

        throw _ctx.Error($"doubleValue of attribute '{key}' is {ReadContext.Describe(r.TokenType)} that is not a number", r.TokenStartIndex, PathOf(field));
    }

    private object ReadBytes(ref Utf8JsonReader r, string? key, string field)
    {
        if (r.TokenType == JsonTokenType.String && r.TryGetBytesFromBase64(out var bytes))
        {
            return bytes;
        }

        if (r.TokenType == JsonTokenType.String)
        {
            _spanWarnings.Add($"attribute '{key}' at {PathOf(field)}: bytesValue is not base64; kept as a string");
            return _ctx.ReadValueString(ref r, out _);
        }

        throw _ctx.TypeError(ref r, "a base64 string for bytesValue", this, field);
    }

    private object?[] ReadArrayValue(ref Utf8JsonReader r, string? key, string field)
    {
        if (!_ctx.BeginObject(ref r, this, field + "[].value.arrayValue"))
        {
            return [];
        }

        var values = new List<object?>();
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            r.Read();
            if (_ctx.BeginArray(ref r, this, field + "[].value.arrayValue.values"))
            {
                while (r.Read() && r.TokenType != JsonTokenType.EndArray)
                {
                    values.Add(ReadAnyValue(ref r, field, key, allowFlatten: false, out _));
                }
            }
        }

        return values.ToArray();
    }

    private static string Raw(ref Utf8JsonReader r) => r.TokenType switch
    {
        JsonTokenType.String => "'" + r.GetString() + "'",
        JsonTokenType.Number => ReadContext.RawText(ref r),
        _ => ReadContext.Describe(r.TokenType),
    };

    private static string Signature(Attribute[] attributes)
    {
        var builder = new StringBuilder();
        foreach (var attribute in attributes)
        {
            builder.Append(attribute.Key).Append('\u001f').Append(attribute.Value?.GetType().Name).Append('\u001f')
                .Append(AttributeValues.Format(attribute.Value)).Append('\u001e');
        }

        return builder.ToString();
    }

    private List<Attribute> RentList() => _scratch.Count > 0 ? _scratch.Pop() : [];

    private void ReturnList(List<Attribute> list)
    {
        list.Clear();
        _scratch.Push(list);
    }
}
