using OpsAssistant.Core.Model;
using Attribute = OpsAssistant.Core.Model.Attribute;

namespace OpsAssistant.Core.Formats;

/// <summary>A span as read, before its resource is known and its IDs are validated.</summary>
internal sealed class SpanDraft
{
    public JsonParseContext? Context { get; set; }

    public string? TraceId { get; set; }

    /// <summary>The span ID when it arrived in another form than 16 lower-case hex digits (see <see cref="SpanIdNumber"/>).</summary>
    public string? SpanId { get; set; }

    /// <summary>The span ID by value when it arrived as 16 lower-case hex digits, the form OTLP/JSON exporters write.</summary>
    public ulong? SpanIdNumber { get; set; }

    public string? ParentSpanId { get; set; }

    /// <summary>The parent ID by value when it arrived as 16 lower-case hex digits; zero when none did.</summary>
    public ulong ParentNumber { get; set; }

    public bool ParentIsFollowsFrom { get; set; }

    public string? Name { get; set; }

    public SpanKind Kind { get; set; }

    public long? Start { get; set; }

    public long? End { get; set; }

    public SpanStatusCode Status { get; set; }

    public string? StatusMessage { get; set; }

    public IReadOnlyList<Attribute> Attributes { get; set; } = AttributeValues.Empty;

    /// <summary>Attributes the reader packed with other spans' (see <see cref="AttributeChunks"/>); used instead of
    /// <see cref="Attributes"/> when set.</summary>
    public AttributeRange AttributeRange { get; set; }

    public IReadOnlyList<SpanEvent> Events { get; set; } = [];

    public IReadOnlyList<SpanLink> Links { get; set; } = [];

    public string? TraceState { get; set; }

    /// <summary>Clears every field, so one draft can be reused for span after span.</summary>
    public void Reset()
    {
        Context = null;
        TraceId = null;
        SpanId = null;
        SpanIdNumber = null;
        ParentSpanId = null;
        ParentNumber = 0;
        ParentIsFollowsFrom = false;
        Name = null;
        Kind = SpanKind.Unspecified;
        Start = null;
        End = null;
        Status = SpanStatusCode.Unset;
        StatusMessage = null;
        Attributes = AttributeValues.Empty;
        AttributeRange = default;
        Events = [];
        Links = [];
        TraceState = null;
    }

    public Span Build(Resource resource, InstrumentationScope scope)
    {
        var ctx = Context!;
        var traceId = TraceIds.DecodeId(TraceId, 16)
            ?? throw new TraceFormatException($"A span has {(string.IsNullOrEmpty(TraceId) ? "no traceId" : $"an invalid traceId \"{Cut(TraceId)}\"")} (expected 32 hex characters or base64).");
        string? spanId = null;
        if (SpanIdNumber is null)
        {
            spanId = TraceIds.DecodeId(SpanId, 8)
                ?? throw new TraceFormatException($"A span of trace {traceId} has {(string.IsNullOrEmpty(SpanId) ? "no spanId" : $"an invalid spanId \"{Cut(SpanId)}\"")} (expected 16 hex characters or base64).");
        }

        // A parent ID that arrived as text is decoded; a canonical one arrived as its value (zero: no parent).
        var parent = string.IsNullOrEmpty(ParentSpanId) ? null : TraceIds.DecodeId(ParentSpanId, 8);
        if (parent is not null && IsZero(parent))
        {
            parent = null;
        }

        var (start, end) = ctx.Window(Start, End, spanId, SpanIdNumber.GetValueOrDefault());
        return new Span(traceId, spanId, SpanIdNumber.GetValueOrDefault(), parent, parent is null ? ParentNumber : 0, Name ?? "")
        {
            ParentIsFollowsFrom = ParentIsFollowsFrom,
            Kind = Kind,
            StartUnixNano = start,
            EndUnixNano = end,
            Status = Status,
            StatusMessage = StatusMessage,
            Resource = resource,
            Scope = scope,
            Attributes = Attributes,
            AttributeRange = AttributeRange,
            Events = Events,
            Links = Links,
            TraceState = string.IsNullOrEmpty(TraceState) ? null : TraceState,
        };
    }

    private static bool IsZero(string hex) => !hex.AsSpan().ContainsAnyExcept('0');

    private static string Cut(string value) => value.Length <= 40 ? value : value[..40] + "…";
}
