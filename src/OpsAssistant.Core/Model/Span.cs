using System.Diagnostics.CodeAnalysis;

namespace OpsAssistant.Core.Model;

/// <summary>
/// One span in the format-neutral model. IDs are lower-case hex (32 chars for trace IDs, 16 for span IDs);
/// times are Unix nanoseconds. Readers normalise every wire format to this shape.
/// </summary>
/// <remarks>
/// A reader that decodes a span ID to its 64-bit value may hand over that value instead of a string
/// (<see cref="Span(string, string?, ulong, string?, ulong, string)"/>); the hex string is then made on first use.
/// Analysis links the tree by the numbers and asks for the strings of only the few spans it reports, so a 100k-span trace
/// no longer carries 100k ID strings through every collection while it is read. The strings are the same
/// either way: a value and its 16-digit lower-case hex are one ID.
/// </remarks>
public sealed class Span
{
    private string? _spanId;
    private string? _parentSpanId;
    private readonly ulong _spanIdNumber;
    private readonly ulong _parentNumber;
    private IdForms _forms;
    private Details? _details;

    // The attributes: a list of their own (count -1), or a range of an array shared with other spans (AttributeChunks).
    private IReadOnlyList<Attribute> _attributes = AttributeValues.Empty;
    private int _attributeStart;
    private int _attributeCount = -1;

    // Kind and status as bytes: with the flags they fit the space one int took (the span is most of the model).
    private byte _kind;
    private byte _status;

    public Span()
    {
    }

    // SpanId is never null although these constructors may leave its string unset: its getter makes it from the value.
#pragma warning disable CS8618

    /// <summary>
    /// A span whose IDs a reader may give by value: <paramref name="spanId"/> null means <paramref name="spanIdNumber"/> is
    /// the ID; <paramref name="parentSpanId"/> null and a non-zero <paramref name="parentNumber"/> mean that is the parent
    /// (a zero parent ID is no parent).
    /// </summary>
    [SetsRequiredMembers]
    internal Span(string traceId, string? spanId, ulong spanIdNumber, string? parentSpanId, ulong parentNumber, string name)
    {
        TraceId = traceId;
        Name = name;
        (_spanId, _spanIdNumber) = (spanId, spanIdNumber);
        (_parentSpanId, _parentNumber) = (parentSpanId, parentNumber);
        _forms = (spanId is null ? IdForms.SpanIdNumber : IdForms.None)
            | (parentSpanId is null && parentNumber != 0 ? IdForms.ParentNumber : IdForms.None);
    }

    [SetsRequiredMembers]
    private Span(Span other, string? spanId, Resource resource, InstrumentationScope scope)
    {
        TraceId = other.TraceId;
        Name = other.Name;
        (_spanId, _spanIdNumber, _forms) = spanId is null ? (other._spanId, other._spanIdNumber, other._forms) : (spanId, 0, other._forms & ~IdForms.SpanIdNumber);
        (_parentSpanId, _parentNumber) = (other._parentSpanId, other._parentNumber);
        ParentIsFollowsFrom = other.ParentIsFollowsFrom;
        (_kind, _status) = (other._kind, other._status);
        StartUnixNano = other.StartUnixNano;
        EndUnixNano = other.EndUnixNano;
        Resource = resource;
        Scope = scope;
        (_attributes, _attributeStart, _attributeCount) = (other._attributes, other._attributeStart, other._attributeCount);
        _details = other._details; // never changed once the span is built, so shared
    }
#pragma warning restore CS8618

    [Flags]
    private enum IdForms : byte
    {
        None = 0,
        SpanIdNumber = 1,
        ParentNumber = 2,
    }

    public required string TraceId { get; init; }

    public required string SpanId
    {
        get => _spanId ?? (_spanId = TraceIds.SpanIdHex(_spanIdNumber)); // racing first reads each make an equal string: harmless
        init
        {
            _spanId = value;
            _forms &= ~IdForms.SpanIdNumber;
        }
    }

    /// <summary>Parent span ID, or null for a root. Jaeger FOLLOWS_FROM parents are kept here too (see <see cref="ParentIsFollowsFrom"/>).</summary>
    public string? ParentSpanId
    {
        get => _parentSpanId ?? ((_forms & IdForms.ParentNumber) != 0 ? _parentSpanId = TraceIds.SpanIdHex(_parentNumber) : null);
        init
        {
            _parentSpanId = value;
            _forms &= ~IdForms.ParentNumber;
        }
    }

    /// <summary>The span's own ID by value, when a reader gave it so (no string to decode).</summary>
    internal bool TryGetSpanIdNumber(out ulong value)
    {
        value = _spanIdNumber;
        return (_forms & IdForms.SpanIdNumber) != 0;
    }

    /// <summary>The parent's ID by value, when a reader gave it so.</summary>
    internal bool TryGetParentNumber(out ulong value)
    {
        value = _parentNumber;
        return (_forms & IdForms.ParentNumber) != 0;
    }

    /// <summary>True for a span with no parent, without making the parent's ID string.</summary>
    internal bool IsParentless => _parentSpanId is null && (_forms & IdForms.ParentNumber) == 0;

    public bool ParentIsFollowsFrom { get; init; }

    public required string Name { get; init; }

    public SpanKind Kind
    {
        get => (SpanKind)_kind;
        init => _kind = AsByte((int)value, nameof(Kind));
    }

    public long StartUnixNano { get; init; }

    public long EndUnixNano { get; init; }

    public SpanStatusCode Status
    {
        get => (SpanStatusCode)_status;
        init => _status = AsByte((int)value, nameof(Status));
    }

    public string? StatusMessage
    {
        get => _details?.StatusMessage;
        init => SetDetail(value, static (d, v) => d.StatusMessage = v);
    }

    public Resource Resource { get; init; } = Resource.Unknown;

    public InstrumentationScope Scope { get; init; } = InstrumentationScope.Empty;

    /// <summary>The span's attributes. For a span whose reader packed them with other spans' this makes a small view on each
    /// read; code inside the library reads <see cref="AttributeSpan"/> instead.</summary>
    public IReadOnlyList<Attribute> Attributes
    {
        get => _attributeCount < 0 ? _attributes : new AttributeSlice((Attribute[])_attributes, _attributeStart, _attributeCount);
        init => (_attributes, _attributeStart, _attributeCount) = (value ?? AttributeValues.Empty, 0, -1);
    }

    /// <summary>Attributes packed into an array shared with other spans; for readers. An empty range changes nothing.</summary>
    internal AttributeRange AttributeRange
    {
        init
        {
            if (value.Array is not null)
            {
                (_attributes, _attributeStart, _attributeCount) = (value.Array, value.Start, value.Count);
            }
        }
    }

    /// <summary>The attributes without a view object: what analysis reads on every span.</summary>
    internal ReadOnlySpan<Attribute> AttributeSpan =>
        _attributeCount < 0 ? AttributeValues.AsSpan(_attributes) : ((Attribute[])_attributes).AsSpan(_attributeStart, _attributeCount);

    public IReadOnlyList<SpanEvent> Events
    {
        get => _details?.Events ?? [];
        init => SetDetail(value is { Count: > 0 } ? value : null, static (d, v) => d.Events = v);
    }

    public IReadOnlyList<SpanLink> Links
    {
        get => _details?.Links ?? [];
        init => SetDetail(value is { Count: > 0 } ? value : null, static (d, v) => d.Links = v);
    }

    public string? TraceState
    {
        get => _details?.TraceState;
        init => SetDetail(value, static (d, v) => d.TraceState = v);
    }

    public string ServiceName => Resource.ServiceName;

    /// <summary>Duration in nanoseconds; never negative (a span whose end precedes its start lasts zero).</summary>
    public long DurationNano => EndUnixNano > StartUnixNano ? EndUnixNano - StartUnixNano : 0;

    public double DurationMs => DurationNano / 1_000_000.0;

    public bool IsError => Status == SpanStatusCode.Error;

    public object? GetAttribute(string key) => AttributeValues.Find(AttributeSpan, key);

    /// <summary>A copy under another span ID (used when a trace reuses an ID for a different span).</summary>
    public Span WithSpanId(string spanId)
    {
        ArgumentNullException.ThrowIfNull(spanId);
        return new(this, spanId, Resource, Scope);
    }

    /// <summary>A copy with another resource and scope (a reader that learns them after the span).</summary>
    internal Span WithOrigin(Resource resource, InstrumentationScope scope) => new(this, spanId: null, resource, scope);

    private static byte AsByte(int value, string name) =>
        (uint)value <= byte.MaxValue ? (byte)value : throw new ArgumentOutOfRangeException(name, value, $"{name} {value} is not a defined value.");

    /// <summary>Sets a field most spans leave empty, making the side object only for a value (an empty one clears it).</summary>
    private void SetDetail<T>(T? value, Action<Details, T?> set)
        where T : class
    {
        if (value is not null || _details is not null)
        {
            set(_details ??= new Details(), value);
        }
    }

    /// <summary>
    /// The fields most spans leave empty (status message, events, links, trace state), held apart so a span without them
    /// carries one null reference instead of four (the span object is most of a large trace's model).
    /// </summary>
    private sealed class Details
    {
        public string? StatusMessage { get; set; }

        public IReadOnlyList<SpanEvent>? Events { get; set; }

        public IReadOnlyList<SpanLink>? Links { get; set; }

        public string? TraceState { get; set; }
    }

    public override string ToString() => $"{ServiceName}/{Name} [{SpanId}]";
}
