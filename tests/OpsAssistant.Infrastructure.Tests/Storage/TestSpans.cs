using OpsAssistant.Core.Model;
using Attribute = OpsAssistant.Core.Model.Attribute;

namespace OpsAssistant.Infrastructure.Tests.Storage;

/// <summary>Builds spans for store tests with readable defaults.</summary>
internal static class TestSpans
{
    public static readonly DateTimeOffset BaseTime = new(2024, 5, 1, 12, 0, 0, TimeSpan.Zero);

    public static string TraceId(int n) => n.ToString("x32", System.Globalization.CultureInfo.InvariantCulture);

    public static string SpanId(int n) => n.ToString("x16", System.Globalization.CultureInfo.InvariantCulture);

    public static long At(TimeSpan offset) => (BaseTime + offset - DateTimeOffset.UnixEpoch).Ticks * 100;

    public static Span Make(
        int trace,
        int span,
        int? parent = null,
        string service = "checkout",
        string name = "GET /cart",
        TimeSpan? start = null,
        double durationMs = 10,
        bool error = false,
        Resource? resource = null) =>
        new()
        {
            TraceId = TraceId(trace),
            SpanId = SpanId(span),
            ParentSpanId = parent is { } p ? SpanId(p) : null,
            Name = name,
            Kind = SpanKind.Server,
            StartUnixNano = At(start ?? TimeSpan.Zero),
            EndUnixNano = At(start ?? TimeSpan.Zero) + (long)(durationMs * 1_000_000),
            Status = error ? SpanStatusCode.Error : SpanStatusCode.Unset,
            Resource = resource ?? new Resource(service),
        };

    /// <summary>A span that sets every field of the model, with every kind of attribute value.</summary>
    public static Span Everything(Resource resource, InstrumentationScope scope) => new()
    {
        TraceId = TraceId(0xabc),
        SpanId = SpanId(0x2),
        ParentSpanId = SpanId(0x1),
        ParentIsFollowsFrom = true,
        Name = "SELECT orders",
        Kind = SpanKind.Client,
        StartUnixNano = 1_714_564_800_123_456_789,
        EndUnixNano = 1_714_564_800_223_456_789,
        Status = SpanStatusCode.Error,
        StatusMessage = "deadlock detected",
        TraceState = "vendor=abc,other=1",
        Resource = resource,
        Scope = scope,
        Attributes =
        [
            new Attribute("db.system", "postgresql"),
            new Attribute("db.rows", 42L),
            new Attribute("ratio", 0.125),
            new Attribute("too.big", double.NegativeInfinity),
            new Attribute("smallest", long.MinValue),
            new Attribute("short.text", "naïve \"q\" ✓ 🚀"),
            new Attribute("text", "naïve \"quoted\" \\ tab\t ✓ 🚀 " + new string('x', 200)),
            new Attribute("whole.double", 3.0),
            new Attribute("not.a.number", double.NaN),
            new Attribute("retry", true),
            new Attribute("raw", new byte[] { 0, 1, 254, 255 }),
            new Attribute("tags", new object?[] { "a", 2L, false, null, new object?[] { 1.5 } }),
            new Attribute("nested", new Attribute[] { new("inner", "x"), new("deeper", new Attribute[] { new("n", 7L) }) }),
            new Attribute("empty", null),
        ],
        Events =
        [
            new SpanEvent("exception", 1_714_564_800_200_000_000, [new Attribute("exception.type", "PgException"), new Attribute("exception.escaped", false)]),
            new SpanEvent("retry", 1_714_564_800_210_000_000, []),
        ],
        Links =
        [
            new SpanLink(TraceId(0xdef), SpanId(0x9), [new Attribute("link.reason", "batch")], "FOLLOWS_FROM"),
            new SpanLink(TraceId(0xdef), SpanId(0xa), []),
        ],
    };
}
