using OpsAssistant.Core.Model;
using Attribute = OpsAssistant.Core.Model.Attribute;

namespace OpsAssistant.Core.Tests.Analysis;

/// <summary>Builds traces in code: times in milliseconds from a fixed epoch, span IDs from a counter.</summary>
internal sealed class TraceBuilder
{
    public const string TraceId = "0af7651916cd43dd8448eb211c80319c";
    private const long Epoch = 1_764_000_000_000_000_000;
    private readonly List<Span> _spans = [];
    private readonly Dictionary<string, Resource> _resources = [];
    private int _next = 1;

    public string Add(string service, string name, double startMs, double durationMs, string? parent = null, SpanKind kind = SpanKind.Internal,
        bool error = false, string? message = null, IReadOnlyList<Attribute>? attributes = null, IReadOnlyList<SpanEvent>? events = null,
        string? id = null, bool followsFrom = false, IReadOnlyList<SpanLink>? links = null)
    {
        var spanId = id ?? (_next++).ToString("x16", System.Globalization.CultureInfo.InvariantCulture);
        if (!_resources.TryGetValue(service, out var resource))
        {
            resource = _resources[service] = new Resource(service);
        }

        _spans.Add(new Span
        {
            TraceId = TraceId,
            SpanId = spanId,
            ParentSpanId = parent,
            ParentIsFollowsFrom = followsFrom,
            Name = name,
            Kind = kind,
            StartUnixNano = Epoch + (long)(startMs * 1_000_000),
            EndUnixNano = Epoch + (long)((startMs + durationMs) * 1_000_000),
            Status = error ? SpanStatusCode.Error : SpanStatusCode.Unset,
            StatusMessage = message,
            Resource = resource,
            Attributes = attributes ?? [],
            Events = events ?? [],
            Links = links ?? [],
        });
        return spanId;
    }

    public Trace Build() => new(TraceId, _spans.ToList());

    public static Attribute A(string key, object? value) => new(key, value);
}
