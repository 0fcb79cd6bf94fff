using System.Globalization;
using System.Text;
using System.Text.Json;
using OpsAssistant.Core.Model;
using Attribute = OpsAssistant.Core.Model.Attribute;

namespace OpsAssistant.Core.Formats;

/// <summary>
/// Reads the Jaeger query API v1 JSON (the UI's download format): <c>{"data":[trace...]}</c>, a bare trace object,
/// or a bare array of spans carrying their own <c>process</c> (the anonymizer's output).
/// <para>
/// Mapping: µs → ns; <c>span.kind</c>, <c>otel.status_code</c>, <c>otel.status_description</c> and
/// <c>otel.scope.*</c> tags become the span's fields and leave the attributes; <c>error=true</c> sets the error
/// status and stays an attribute. The parent is the first CHILD_OF reference within the same trace, else the first
/// FOLLOWS_FROM one (<see cref="Span.ParentIsFollowsFrom"/>); every other reference becomes a link whose kind is the
/// lower-cased reference type (<c>child_of</c>, <c>follows_from</c>). Logs become events named by their
/// <c>event</c> field, <c>exception</c> when they carry <c>error.object</c> or <c>exception.*</c> fields, else <c>log</c>.
/// </para>
/// </summary>
internal sealed class JaegerV1Parser : IJsonLocation
{
    private readonly ReadContext _ctx;
    private readonly string _root;
    private readonly List<string> _spanWarnings = [];
    private readonly List<Attribute> _tags = [];
    private readonly Dictionary<string, Resource> _resources = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Name, string? Version), InstrumentationScope> _scopes = [];
    private int _traceIndex = -1;
    private int _spanIndex = -1;

    public JaegerV1Parser(ReadContext ctx, string root)
    {
        _ctx = ctx;
        _root = root;
    }

    public string PathOf(string? field)
    {
        var path = new StringBuilder(_root);
        if (_traceIndex >= 0)
        {
            path.Append(CultureInfo.InvariantCulture, $"[{_traceIndex}]");
        }

        if (_spanIndex >= 0)
        {
            path.Append(CultureInfo.InvariantCulture, $"{(_traceIndex >= 0 || _root != "$" ? ".spans" : "")}[{_spanIndex}]");
        }

        if (field is not null)
        {
            path.Append('.').Append(field);
        }

        return path.ToString();
    }

    /// <summary>Reads the <c>data</c> array of the v1 envelope.</summary>
    public void ReadDataArray(ref Utf8JsonReader r)
    {
        if (!_ctx.BeginArray(ref r, this, null))
        {
            return;
        }

        _traceIndex = -1;
        while (r.Read() && r.TokenType != JsonTokenType.EndArray)
        {
            _traceIndex++;
            ReadTrace(ref r);
        }

        _traceIndex = -1;
    }

    /// <summary>Reads one trace object <c>{"traceID","spans","processes"}</c>.</summary>
    public void ReadTrace(ref Utf8JsonReader r)
    {
        _ctx.ExpectObject(ref r, this, null);

        // processes usually follow spans in the document; the input is in memory, so read them first from a copy.
        var (processes, traceId) = FindProcesses(r);
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            if (r.ValueTextEquals("spans"u8))
            {
                r.Read();
                ReadSpans(ref r, processes, traceId);
            }
            else
            {
                r.Read();
                r.Skip();
            }
        }
    }

    /// <summary>Reads an array of spans; each carries its own <c>process</c> or names one of <paramref name="processes"/>.</summary>
    public void ReadSpans(ref Utf8JsonReader r, Dictionary<string, Resource>? processes, string? traceId)
    {
        if (!_ctx.BeginArray(ref r, this, "spans"))
        {
            return;
        }

        _spanIndex = -1;
        while (r.Read() && r.TokenType != JsonTokenType.EndArray)
        {
            _spanIndex++;
            ReadSpan(ref r, processes, traceId);
        }

        _spanIndex = -1;
    }

    private (Dictionary<string, Resource>? Processes, string? TraceId) FindProcesses(Utf8JsonReader look)
    {
        Dictionary<string, Resource>? processes = null;
        string? traceId = null;
        while (look.Read() && look.TokenType == JsonTokenType.PropertyName)
        {
            if (look.ValueTextEquals("processes"u8))
            {
                look.Read();
                if (_ctx.BeginObject(ref look, this, "processes"))
                {
                    processes = new Dictionary<string, Resource>(StringComparer.Ordinal);
                    while (look.Read() && look.TokenType == JsonTokenType.PropertyName)
                    {
                        var id = look.GetString() ?? string.Empty;
                        look.Read();
                        processes[id] = ReadProcess(ref look, "processes." + id);
                    }
                }
            }
            else if (look.ValueTextEquals("traceID"u8))
            {
                look.Read();
                ReadContext.TryReadId(ref look, 16, out traceId);
            }
            else
            {
                look.Read();
                look.Skip();
            }
        }

        return (processes, traceId);
    }

    private Resource ReadProcess(ref Utf8JsonReader r, string field)
    {
        if (!_ctx.BeginObject(ref r, this, field))
        {
            return Resource.Unknown;
        }

        var serviceName = string.Empty;
        Attribute[] tags = AttributeValues.Empty;
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            if (r.ValueTextEquals("serviceName"u8))
            {
                r.Read();
                serviceName = _ctx.ReadName(ref r, this, field + ".serviceName");
            }
            else if (r.ValueTextEquals("tags"u8))
            {
                r.Read();
                tags = ReadTags(ref r, field + ".tags").ToArray();
            }
            else
            {
                r.Read();
                r.Skip();
            }
        }

        if (string.IsNullOrEmpty(serviceName))
        {
            serviceName = Resource.UnknownService;
        }

        // service.name goes into the attributes too, so a Jaeger resource looks like an OTLP one to every consumer.
        Attribute[] attributes = [new Attribute("service.name", serviceName), .. tags.Where(t => t.Key != "service.name")];
        var signature = string.Join('\u001e', attributes.Select(a => a.Key + "\u001f" + AttributeValues.Format(a.Value)));
        if (!_resources.TryGetValue(signature, out var resource))
        {
            resource = new Resource(serviceName, attributes);
            _resources.Add(signature, resource);
        }

        return resource;
    }

    private void ReadSpan(ref Utf8JsonReader r, Dictionary<string, Resource>? processes, string? defaultTraceId)
    {
        _ctx.ExpectObject(ref r, this, null);
        var spanOffset = r.TokenStartIndex;
        _spanWarnings.Clear();
        string? traceId = null, spanId = null, parentSpanId = null, processId = null;
        bool badSpanId = false;
        var name = string.Empty;
        long? startMicros = null, durationMicros = null;
        string? startProblem = null, durationProblem = null;
        List<Attribute>? tags = null;
        List<SpanEvent>? events = null;
        List<(string Type, string TraceId, string SpanId)>? references = null;
        Resource? inlineProcess = null;

        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            if (r.ValueTextEquals("traceID"u8))
            {
                r.Read();
                ReadContext.TryReadId(ref r, 16, out traceId);
            }
            else if (r.ValueTextEquals("spanID"u8))
            {
                r.Read();
                badSpanId = !ReadContext.TryReadId(ref r, 8, out spanId);
            }
            else if (r.ValueTextEquals("parentSpanID"u8))
            {
                r.Read();
                ReadContext.TryReadId(ref r, 8, out parentSpanId);
            }
            else if (r.ValueTextEquals("operationName"u8))
            {
                r.Read();
                name = _ctx.ReadName(ref r, this, "operationName");
            }
            else if (r.ValueTextEquals("startTime"u8))
            {
                r.Read();
                startMicros = ReadContext.TryReadInt64(ref r, out var v, out startProblem) ? v : null;
            }
            else if (r.ValueTextEquals("duration"u8))
            {
                r.Read();
                durationMicros = ReadContext.TryReadInt64(ref r, out var v, out durationProblem) ? v : null;
            }
            else if (r.ValueTextEquals("tags"u8))
            {
                r.Read();
                tags = [.. ReadTags(ref r, "tags")];
            }
            else if (r.ValueTextEquals("logs"u8))
            {
                r.Read();
                events = ReadLogs(ref r);
            }
            else if (r.ValueTextEquals("references"u8))
            {
                r.Read();
                references = ReadReferences(ref r);
            }
            else if (r.ValueTextEquals("processID"u8))
            {
                r.Read();
                processId = _ctx.ReadOptionalName(ref r, this, "processID");
            }
            else if (r.ValueTextEquals("process"u8))
            {
                r.Read();
                inlineProcess = ReadProcess(ref r, "process");
            }
            else
            {
                r.Read();
                r.Skip();
            }
        }

        _ctx.Collector.CountSpan(spanOffset);
        traceId ??= defaultTraceId;
        if (traceId is null)
        {
            _ctx.Collector.GlobalWarning($"span '{name}' at {PathOf(null)} dropped: no usable trace ID");
            return;
        }

        traceId = _ctx.Pool.Intern(traceId);
        if (spanId is null)
        {
            _ctx.Collector.Warn(traceId, $"span '{name}' at {PathOf(null)} dropped: {(badSpanId ? "span ID is not hex" : "no span ID")}");
            return;
        }

        var resource = inlineProcess;
        if (resource is null)
        {
            if (processId is not null && processes is not null && processes.TryGetValue(processId, out var found))
            {
                resource = found;
            }
            else
            {
                _spanWarnings.Add($"span {spanId}: process '{processId}' not found in processes; service unknown");
                resource = Resource.Unknown;
            }
        }

        // Parent: the first CHILD_OF in the same trace, else the first FOLLOWS_FROM; the rest are links.
        var parentIsFollowsFrom = false;
        var links = new List<SpanLink>();
        if (references is not null)
        {
            var parentIndex = references.FindIndex(x => x.Type == "child_of" && TraceIds.SameTrace(x.TraceId, traceId));
            if (parentIndex < 0)
            {
                parentIndex = references.FindIndex(x => x.Type == "follows_from" && TraceIds.SameTrace(x.TraceId, traceId));
                parentIsFollowsFrom = parentIndex >= 0;
            }

            if (parentIndex >= 0)
            {
                if (parentSpanId is not null && parentSpanId != references[parentIndex].SpanId)
                {
                    _spanWarnings.Add($"span {spanId}: parentSpanID {parentSpanId} disagrees with its references; the reference wins");
                }

                parentSpanId = references[parentIndex].SpanId;
            }

            for (var i = 0; i < references.Count; i++)
            {
                if (i != parentIndex)
                {
                    links.Add(new SpanLink(references[i].TraceId, references[i].SpanId, AttributeValues.Empty, references[i].Type));
                }
            }
        }

        var kind = SpanKind.Unspecified;
        var status = SpanStatusCode.Unset;
        string? statusMessage = null;
        string? scopeName = null, scopeVersion = null;
        var attributes = AttributeValues.Empty;
        if (tags is not null)
        {
            var kept = new List<Attribute>(tags.Count);
            foreach (var tag in tags)
            {
                switch (tag.Key)
                {
                    case "span.kind":
                        kind = ParseKind(AttributeValues.Format(tag.Value));
                        continue;
                    case "otel.status_code":
                        var code = AttributeValues.Format(tag.Value);
                        status = code.Equals("ERROR", StringComparison.OrdinalIgnoreCase) ? SpanStatusCode.Error
                            : code.Equals("OK", StringComparison.OrdinalIgnoreCase) ? SpanStatusCode.Ok : status;
                        continue;
                    case "otel.status_description":
                        statusMessage = AttributeValues.Format(tag.Value);
                        continue;
                    case "otel.scope.name" or "otel.library.name":
                        scopeName = AttributeValues.Format(tag.Value);
                        continue;
                    case "otel.scope.version" or "otel.library.version":
                        scopeVersion = AttributeValues.Format(tag.Value);
                        continue;
                    case "error":
                        if (tag.Value is true || (tag.Value is string s && s.Equals("true", StringComparison.OrdinalIgnoreCase)))
                        {
                            status = SpanStatusCode.Error;
                        }

                        break;
                }

                kept.Add(tag);
            }

            attributes = kept.Count == 0 ? AttributeValues.Empty : kept.ToArray();
        }

        if (status != SpanStatusCode.Error && statusMessage is not null && status == SpanStatusCode.Unset)
        {
            // A description without a code says nothing reliable; keep it only alongside an error.
            statusMessage = null;
        }

        var start = startMicros is { } sm ? SpanTimes.MicrosToNanos(sm, out startProblem) : null;
        long? end = null;
        string? endProblem = durationProblem;
        if (start is not null)
        {
            var duration = durationMicros ?? 0;
            if (durationMicros is null && durationProblem is not "missing")
            {
                _spanWarnings.Add($"span {spanId}: duration {durationProblem}; set to 0");
            }

            if (duration < 0)
            {
                _spanWarnings.Add($"span {spanId}: negative duration {duration.ToString(CultureInfo.InvariantCulture)} µs; set to 0");
                duration = 0;
            }

            var durationNanos = SpanTimes.MicrosToNanos(duration, out endProblem);
            end = durationNanos is { } dn && start.Value <= long.MaxValue - dn ? start.Value + dn : null;
            endProblem ??= end is null ? "overflows a 64-bit integer" : null;
        }

        var (startNano, endNano) = SpanTimes.Repair(start, startProblem, end, endProblem, spanId, _spanWarnings);
        foreach (var warning in _spanWarnings)
        {
            _ctx.Collector.Warn(traceId, warning);
        }

        _ctx.Collector.Add(new Span
        {
            TraceId = traceId,
            SpanId = spanId,
            ParentSpanId = parentSpanId,
            ParentIsFollowsFrom = parentIsFollowsFrom,
            Name = name,
            Kind = kind,
            StartUnixNano = startNano,
            EndUnixNano = endNano,
            Status = status,
            StatusMessage = statusMessage,
            Resource = resource,
            Scope = Scope(scopeName, scopeVersion),
            Attributes = attributes,
            Events = events is null ? [] : events.ToArray(),
            Links = links.Count == 0 ? [] : links.ToArray(),
        });
    }

    private InstrumentationScope Scope(string? name, string? version)
    {
        if (name is null && version is null)
        {
            return InstrumentationScope.Empty;
        }

        var key = (_ctx.Pool.Intern(name ?? string.Empty), version is null ? null : _ctx.Pool.Intern(version));
        if (!_scopes.TryGetValue(key, out var scope))
        {
            scope = new InstrumentationScope(key.Item1, key.Item2);
            _scopes.Add(key, scope);
        }

        return scope;
    }

    private static SpanKind ParseKind(string value) => value.ToLowerInvariant() switch
    {
        "server" => SpanKind.Server,
        "client" => SpanKind.Client,
        "producer" => SpanKind.Producer,
        "consumer" => SpanKind.Consumer,
        "internal" => SpanKind.Internal,
        _ => SpanKind.Unspecified,
    };

    private List<(string Type, string TraceId, string SpanId)>? ReadReferences(ref Utf8JsonReader r)
    {
        if (!_ctx.BeginArray(ref r, this, "references"))
        {
            return null;
        }

        var references = new List<(string, string, string)>();
        while (r.Read() && r.TokenType != JsonTokenType.EndArray)
        {
            _ctx.ExpectObject(ref r, this, "references[]");
            string? type = null, traceId = null, spanId = null;
            while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
            {
                if (r.ValueTextEquals("refType"u8))
                {
                    r.Read();
                    type = _ctx.ReadName(ref r, this, "references[].refType");
                }
                else if (r.ValueTextEquals("traceID"u8))
                {
                    r.Read();
                    ReadContext.TryReadId(ref r, 16, out traceId);
                }
                else if (r.ValueTextEquals("spanID"u8))
                {
                    r.Read();
                    ReadContext.TryReadId(ref r, 8, out spanId);
                }
                else
                {
                    r.Read();
                    r.Skip();
                }
            }

            if (traceId is null || spanId is null)
            {
                _spanWarnings.Add($"reference at {PathOf("references")} dropped: missing or invalid trace or span ID");
                continue;
            }

            var normalized = string.Equals(type, "FOLLOWS_FROM", StringComparison.OrdinalIgnoreCase) ? "follows_from" : "child_of";
            references.Add((normalized, _ctx.Pool.Intern(traceId), spanId));
        }

        return references;
    }

    private List<SpanEvent> ReadLogs(ref Utf8JsonReader r)
    {
        var events = new List<SpanEvent>();
        if (!_ctx.BeginArray(ref r, this, "logs"))
        {
            return events;
        }

        while (r.Read() && r.TokenType != JsonTokenType.EndArray)
        {
            _ctx.ExpectObject(ref r, this, "logs[]");
            long time = 0;
            List<Attribute> fields = [];
            while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
            {
                if (r.ValueTextEquals("timestamp"u8))
                {
                    r.Read();
                    if (!ReadContext.TryReadInt64(ref r, out var micros, out var problem) || micros < 0 || SpanTimes.MicrosToNanos(micros, out problem) is not { } nanos)
                    {
                        _spanWarnings.Add($"log at {PathOf("logs")}: timestamp {problem ?? "is negative"}; set to 0");
                    }
                    else
                    {
                        time = nanos;
                    }
                }
                else if (r.ValueTextEquals("fields"u8))
                {
                    r.Read();
                    fields = [.. ReadTags(ref r, "logs[].fields")];
                }
                else
                {
                    r.Read();
                    r.Skip();
                }
            }

            var isException = fields.Exists(f => f.Key == "error.object" || f.Key.StartsWith("exception.", StringComparison.Ordinal));
            string name;
            if (isException)
            {
                name = "exception";
            }
            else if (fields.FindIndex(f => f.Key == "event") is var eventIndex and >= 0)
            {
                name = _ctx.Pool.Intern(AttributeValues.Format(fields[eventIndex].Value));
                fields.RemoveAt(eventIndex);
            }
            else
            {
                name = "log";
            }

            events.Add(new SpanEvent(name, time, fields.Count == 0 ? AttributeValues.Empty : fields.ToArray()));
        }

        return events;
    }

    /// <summary>Reads Jaeger's typed tags <c>[{"key","type","value"}]</c>. The returned list is reused: copy it.</summary>
    private List<Attribute> ReadTags(ref Utf8JsonReader r, string field)
    {
        _tags.Clear();
        if (!_ctx.BeginArray(ref r, this, field))
        {
            return _tags;
        }

        while (r.Read() && r.TokenType != JsonTokenType.EndArray)
        {
            _ctx.ExpectObject(ref r, this, field + "[]");
            var key = string.Empty;
            string? type = null;
            Utf8JsonReader valueReader = default;
            var hasValue = false;
            while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
            {
                if (r.ValueTextEquals("key"u8))
                {
                    r.Read();
                    key = _ctx.ReadName(ref r, this, field + "[].key");
                }
                else if (r.ValueTextEquals("type"u8))
                {
                    r.Read();
                    type = _ctx.ReadOptionalName(ref r, this, field + "[].type");
                }
                else if (r.ValueTextEquals("value"u8))
                {
                    // "type" may follow "value": bookmark the value and convert it once the type is known.
                    r.Read();
                    valueReader = r;
                    hasValue = true;
                    r.Skip();
                }
                else
                {
                    r.Read();
                    r.Skip();
                }
            }

            _tags.Add(new Attribute(key, hasValue ? ConvertTagValue(ref valueReader, type, key, field) : null));
        }

        return _tags;
    }

    private object? ConvertTagValue(ref Utf8JsonReader v, string? type, string key, string field)
    {
        switch (v.TokenType)
        {
            case JsonTokenType.Null:
                return null;
            case JsonTokenType.True:
            case JsonTokenType.False:
                return type is null or "bool" ? AttributeBoxes.Box(v.TokenType == JsonTokenType.True) : (v.TokenType == JsonTokenType.True ? "true" : "false");
            case JsonTokenType.Number:
                if (type is "float64" || !v.TryGetInt64(out var l))
                {
                    return v.GetDouble();
                }

                return type == "string" ? l.ToString(CultureInfo.InvariantCulture) : AttributeBoxes.Box(l);
            case JsonTokenType.String:
                switch (type)
                {
                    case "bool" when bool.TryParse(v.GetString(), out var b):
                        return AttributeBoxes.Box(b);
                    case "int64" when long.TryParse(v.GetString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsedLong):
                        return AttributeBoxes.Box(parsedLong);
                    case "float64" when double.TryParse(v.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsedDouble):
                        return parsedDouble;
                    case "binary" when v.TryGetBytesFromBase64(out var bytes):
                        return bytes;
                }

                var text = _ctx.ReadValueString(ref v, out var originalLength);
                if (originalLength >= 0)
                {
                    _spanWarnings.Add(
                        $"tag '{key}' at {PathOf(field)}: value of {originalLength.ToString(CultureInfo.InvariantCulture)} chars truncated to " +
                        $"{_ctx.Options.MaxAttributeValueLength.ToString(CultureInfo.InvariantCulture)} (TraceReadOptions.MaxAttributeValueLength)");
                }

                return text;
            default:
                throw _ctx.TypeError(ref v, "a string, number or boolean tag value", this, field + "[].value");
        }
    }
}
