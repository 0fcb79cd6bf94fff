using System.Globalization;
using OpsAssistant.Core.Formats;
using OpsAssistant.Core.Model;
using Attribute = OpsAssistant.Core.Model.Attribute;

namespace OpsAssistant.Core.Evaluation.Metamorphic;

/// <summary>
/// The metamorphic transformations the eval checks (docs/eval.md): each tells the same fault differently — other names,
/// other clock, other wire format, a little timing noise, unrelated healthy work, another span order, no span kinds, old
/// or current attribute names — so a sound analysis must rank the same span first.
/// </summary>
public static class MetamorphicTransformations
{
    /// <summary>Current semantic-convention attribute names and the older names instrumentations still write.</summary>
    public static IReadOnlyList<(string Current, string Old)> SemanticConventionRenames { get; } =
    [
        ("db.query.text", "db.statement"),
        ("http.response.status_code", "http.status_code"),
        ("server.address", "net.peer.name"),
        ("url.full", "http.url"),
        ("http.request.method", "http.method"),
        ("server.port", "net.peer.port"),
    ];

    public static MetamorphicTransformation Rename { get; } = new("rename",
        "every service and operation gets a new opaque name, consistently (same old name, same new name); peer.service values naming a service follow",
        RenameAll);

    public static MetamorphicTransformation ShiftTime { get; } = new("shift-time",
        "every timestamp (spans and events) moves by the same offset of days, hours and nanoseconds",
        Shift);

    public static MetamorphicTransformation ScaleAndJitter { get; } = new("scale-jitter",
        "every time is scaled by 0.95 or 1.05 around the trace start, then each start and end moves by up to ±0.5 ms (seeded)",
        Jitter);

    public static MetamorphicTransformation AddHealthyNoise { get; } = new("add-healthy",
        "unrelated fast subtrees (a call to a new service with two quick queries) are added under the root, and a quick sibling next to a random span",
        AddNoise);

    public static MetamorphicTransformation Shuffle { get; } = new("shuffle",
        "the spans are listed in a random order",
        ShuffleSpans);

    public static MetamorphicTransformation DropKinds { get; } = new("drop-kinds",
        "every span's kind becomes INTERNAL",
        (trace, _) => new(Rebuild(trace, trace.Spans.Select(s => Copy(s, kind: SpanKind.Internal)))));

    public static MetamorphicTransformation OldSemanticConventions { get; } = new("old-semconv",
        "current attribute names (db.query.text, http.response.status_code, server.address, url.full, ...) become the old ones (db.statement, http.status_code, net.peer.name, http.url, ...)",
        (trace, _) => new(RenameKeys(trace, SemanticConventionRenames.ToDictionary(r => r.Current, r => r.Old, StringComparer.Ordinal))));

    public static MetamorphicTransformation CurrentSemanticConventions { get; } = new("current-semconv",
        "old attribute names (db.statement, http.status_code, net.peer.name, http.url, ...) become the current ones",
        (trace, _) => new(RenameKeys(trace, SemanticConventionRenames.ToDictionary(r => r.Old, r => r.Current, StringComparer.Ordinal))));

    /// <summary>Writes the trace in <paramref name="format"/> with <see cref="TraceWriter"/> and reads it back with <see cref="TraceReader"/>.</summary>
    public static MetamorphicTransformation ToFormat(TraceFormat format) => new("to-" + FormatName(format),
        $"the trace is written as {format} and read back",
        (trace, _) => new(TraceReader.Single(TraceReader.Read(TraceWriter.ToUtf8Bytes(trace, format)), trace.TraceId)));

    /// <summary>Every transformation, format conversions included, in report order.</summary>
    public static IReadOnlyList<MetamorphicTransformation> All { get; } =
    [
        Rename, ShiftTime, .. TraceWriter.Formats.Select(ToFormat), ScaleAndJitter, AddHealthyNoise, Shuffle, DropKinds,
        OldSemanticConventions, CurrentSemanticConventions,
    ];

    public static string FormatName(TraceFormat format) => format switch
    {
        TraceFormat.OtlpJson => "otlp-json",
        TraceFormat.Tempo => "tempo",
        TraceFormat.JaegerV1 => "jaeger-v1",
        TraceFormat.JaegerV3 => "jaeger-v3",
        TraceFormat.ZipkinV2 => "zipkin-v2",
        _ => format.ToString().ToLowerInvariant(),
    };

    /// <summary>A copy of <paramref name="span"/> with the given fields replaced; everything else (IDs, links, state) kept.</summary>
    public static Span Copy(Span span, string? name = null, SpanKind? kind = null, long? start = null, long? end = null, Resource? resource = null,
        IReadOnlyList<Attribute>? attributes = null, IReadOnlyList<SpanEvent>? events = null, string? parentSpanId = null)
    {
        ArgumentNullException.ThrowIfNull(span);
        return new Span
        {
            TraceId = span.TraceId,
            SpanId = span.SpanId,
            ParentSpanId = parentSpanId ?? span.ParentSpanId,
            ParentIsFollowsFrom = span.ParentIsFollowsFrom,
            Name = name ?? span.Name,
            Kind = kind ?? span.Kind,
            StartUnixNano = start ?? span.StartUnixNano,
            EndUnixNano = end ?? span.EndUnixNano,
            Status = span.Status,
            StatusMessage = span.StatusMessage,
            Resource = resource ?? span.Resource,
            Scope = span.Scope,
            Attributes = attributes ?? [.. span.Attributes],
            Events = events ?? span.Events,
            Links = span.Links,
            TraceState = span.TraceState,
        };
    }

    private static Trace Rebuild(Trace trace, IEnumerable<Span> spans) => new(trace.TraceId, [.. spans], trace.Format, trace.Warnings);

    private static TransformedTrace RenameAll(Trace trace, Random random)
    {
        var services = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var operations = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var span in trace.Spans)
        {
            services.TryAdd(span.ServiceName, string.Create(CultureInfo.InvariantCulture, $"svc-{services.Count + 1:00}"));
            operations.TryAdd(span.Name, string.Create(CultureInfo.InvariantCulture, $"op-{operations.Count + 1:000}"));
        }

        var resources = new Dictionary<Resource, Resource>();
        Resource RenamedResource(Resource r)
        {
            if (!resources.TryGetValue(r, out var renamed))
            {
                var name = services[r.ServiceName];
                renamed = new Resource(name, [.. r.Attributes.Select(a => a.Key == "service.name" ? new Attribute(a.Key, name) : a)]);
                resources[r] = renamed;
            }

            return renamed;
        }

        var spans = trace.Spans.Select(s => Copy(s, name: operations[s.Name], resource: RenamedResource(s.Resource),
            attributes: [.. s.Attributes.Select(a => a.Key == "peer.service" && a.Value is string peer && services.TryGetValue(peer, out var p) ? new Attribute(a.Key, p) : a)]));
        return new(Rebuild(trace, spans), services, operations);
    }

    private static TransformedTrace Shift(Trace trace, Random random)
    {
        var offset = (random.Next(1, 400) * 86_400L + random.Next(0, 86_400)) * 1_000_000_000L + random.Next(1, 1_000_000_000);
        if (random.Next(2) == 0)
        {
            offset = -offset;
        }

        return new(Rebuild(trace, trace.Spans.Select(s => Copy(s, start: s.StartUnixNano + offset, end: s.EndUnixNano + offset,
            events: [.. s.Events.Select(e => e with { TimeUnixNano = e.TimeUnixNano + offset })]))));
    }

    private static TransformedTrace Jitter(Trace trace, Random random)
    {
        if (trace.Spans.Count == 0)
        {
            return new(trace);
        }

        var origin = trace.Spans.Min(s => s.StartUnixNano);
        var factor = random.Next(2) == 0 ? 0.95 : 1.05;
        long Scale(long t) => origin + (long)Math.Round((t - origin) * factor);
        long Noise() => (long)Math.Round((random.NextDouble() - 0.5) * 1_000_000); // ±0.5 ms in nanoseconds
        var spans = trace.Spans.Select(s =>
        {
            var start = Scale(s.StartUnixNano) + Noise();
            var end = Math.Max(start, Scale(s.EndUnixNano) + Noise());
            return Copy(s, start: start, end: end, events: [.. s.Events.Select(e => e with { TimeUnixNano = Scale(e.TimeUnixNano) })]);
        });
        return new(Rebuild(trace, spans.ToList()));
    }

    private static TransformedTrace ShuffleSpans(Trace trace, Random random)
    {
        var spans = trace.Spans.ToArray();
        random.Shuffle(spans);
        return new(Rebuild(trace, spans));
    }

    private static TransformedTrace AddNoise(Trace trace, Random random)
    {
        var ids = trace.Spans.Select(s => s.SpanId).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var root = trace.Spans.Where(s => s.ParentSpanId is null || !ids.Contains(s.ParentSpanId)).MaxBy(s => s.DurationNano);
        if (root is null)
        {
            return new(trace);
        }

        string NewId()
        {
            while (true)
            {
                var id = random.NextInt64(1, long.MaxValue).ToString("x16", CultureInfo.InvariantCulture);
                if (ids.Add(id))
                {
                    return id;
                }
            }
        }

        var added = new List<Span>();
        Span Add(Span parent, string service, string name, SpanKind kind, long start, long duration, params Attribute[] attributes)
        {
            var resource = service == parent.ServiceName ? parent.Resource : new Resource(service, [new Attribute("service.name", service)]);
            var span = new Span
            {
                TraceId = trace.TraceId, SpanId = NewId(), ParentSpanId = parent.SpanId, Name = name, Kind = kind,
                StartUnixNano = start, EndUnixNano = start + duration, Resource = resource, Scope = parent.Scope, Attributes = attributes,
            };
            added.Add(span);
            return span;
        }

        // Two quick subtrees under the root: at most 3 ms or 2% of the root's duration, wherever they fit in its window.
        var size = Math.Max(20_000, Math.Min(3_000_000, root.DurationNano / 50));
        for (var i = 0; i < 2; i++)
        {
            var service = string.Create(CultureInfo.InvariantCulture, $"noise-{i + 1}-svc");
            var at = root.StartUnixNano + (long)(random.NextDouble() * Math.Max(0, root.DurationNano - size));
            var client = Add(root, root.ServiceName, "GET /noise/" + service, SpanKind.Client, at, size,
                new Attribute("server.address", service), new Attribute("http.response.status_code", 200L));
            var server = Add(client, service, "GET /noise", SpanKind.Server, at + size / 10, size * 8 / 10, new Attribute("http.response.status_code", 200L));
            Add(server, service, "SELECT noise", SpanKind.Client, at + size / 5, size / 4, new Attribute("db.system", "sqlite"));
            Add(server, service, "SELECT noise", SpanKind.Client, at + size / 2, size / 4, new Attribute("db.system", "sqlite"));
        }

        // A quick sibling beside a random non-root span: 1% of its parent, at most 0.5 ms, inside the parent's window.
        var byId = trace.Spans.GroupBy(s => s.SpanId, StringComparer.OrdinalIgnoreCase).ToDictionary(g => g.Key, g => g.First(), StringComparer.OrdinalIgnoreCase);
        var withParent = trace.Spans.Where(s => s.ParentSpanId is not null && byId.ContainsKey(s.ParentSpanId)).ToList();
        if (withParent.Count > 0)
        {
            var parent = byId[withParent[random.Next(withParent.Count)].ParentSpanId!];
            var length = Math.Max(1_000, Math.Min(500_000, parent.DurationNano / 100));
            Add(parent, parent.ServiceName, "noise.check", SpanKind.Internal, parent.StartUnixNano + (long)(random.NextDouble() * Math.Max(0, parent.DurationNano - length)), length);
        }

        return new(Rebuild(trace, [.. trace.Spans, .. added]));
    }

    private static Trace RenameKeys(Trace trace, Dictionary<string, string> renames) => Rebuild(trace, trace.Spans.Select(s =>
    {
        var present = s.Attributes.Select(a => a.Key).ToHashSet(StringComparer.Ordinal);
        if (!present.Overlaps(renames.Keys))
        {
            return s;
        }

        // A span that already carries both names keeps the one it had under the target name.
        var attributes = s.Attributes
            .Where(a => !(renames.TryGetValue(a.Key, out var target) && present.Contains(target)))
            .Select(a => renames.TryGetValue(a.Key, out var target) ? new Attribute(target, a.Value) : a)
            .ToList();
        return Copy(s, attributes: attributes);
    }));
}
