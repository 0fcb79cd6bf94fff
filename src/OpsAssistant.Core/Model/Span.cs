namespace OpsAssistant.Core.Model;

/// <summary>
/// One span in the format-neutral model. IDs are lower-case hex (32 chars for trace IDs, 16 for span IDs);
/// times are Unix nanoseconds. Readers normalise every wire format to this shape.
/// </summary>
public sealed class Span
{
    public required string TraceId { get; init; }

    public required string SpanId { get; init; }

    /// <summary>Parent span ID, or null for a root. Jaeger FOLLOWS_FROM parents are kept here too (see <see cref="ParentIsFollowsFrom"/>).</summary>
    public string? ParentSpanId { get; init; }

    public bool ParentIsFollowsFrom { get; init; }

    public required string Name { get; init; }

    public SpanKind Kind { get; init; }

    public long StartUnixNano { get; init; }

    public long EndUnixNano { get; init; }

    public SpanStatusCode Status { get; init; }

    public string? StatusMessage { get; init; }

    public Resource Resource { get; init; } = Resource.Unknown;

    public InstrumentationScope Scope { get; init; } = InstrumentationScope.Empty;

    public IReadOnlyList<Attribute> Attributes { get; init; } = AttributeValues.Empty;

    public IReadOnlyList<SpanEvent> Events { get; init; } = [];

    public IReadOnlyList<SpanLink> Links { get; init; } = [];

    public string? TraceState { get; init; }

    public string ServiceName => Resource.ServiceName;

    /// <summary>Duration in nanoseconds; never negative (a span whose end precedes its start lasts zero).</summary>
    public long DurationNano => EndUnixNano > StartUnixNano ? EndUnixNano - StartUnixNano : 0;

    public double DurationMs => DurationNano / 1_000_000.0;

    public bool IsError => Status == SpanStatusCode.Error;

    public object? GetAttribute(string key) => AttributeValues.Find(Attributes, key);

    /// <summary>A copy under another span ID (used when a trace reuses an ID for a different span).</summary>
    public Span WithSpanId(string spanId) => Copy(spanId, Resource, Scope);

    /// <summary>A copy with another resource and scope (a reader that learns them after the span).</summary>
    internal Span WithOrigin(Resource resource, InstrumentationScope scope) => Copy(SpanId, resource, scope);

    private Span Copy(string spanId, Resource resource, InstrumentationScope scope) => new()
    {
        TraceId = TraceId,
        SpanId = spanId,
        ParentSpanId = ParentSpanId,
        ParentIsFollowsFrom = ParentIsFollowsFrom,
        Name = Name,
        Kind = Kind,
        StartUnixNano = StartUnixNano,
        EndUnixNano = EndUnixNano,
        Status = Status,
        StatusMessage = StatusMessage,
        Resource = resource,
        Scope = scope,
        Attributes = Attributes,
        Events = Events,
        Links = Links,
        TraceState = TraceState,
    };

    public override string ToString() => $"{ServiceName}/{Name} [{SpanId}]";
}
