using OpsAssistant.Core.Evaluation;
using OpsAssistant.Core.Evaluation.Metamorphic;
using OpsAssistant.Core.Formats;
using OpsAssistant.Core.Model;
using OpsAssistant.Core.Tests.Hardening;

namespace OpsAssistant.Core.Tests.Evaluation;

/// <summary>Each metamorphic transformation changes what it should and keeps what it must, on real eval traces.</summary>
public sealed class MetamorphicTransformationTests
{
    // One case per wire format, with events, errors, FOLLOWS_FROM links and old/current attribute names among them.
    private static readonly string[] CaseNames =
    [
        "error-db-deadlock-order", "error-grpc-payment-declined", "latency-batch-decoy-recommendation", "contention-seat-lock",
        "resource-dotnet-gc-cart", "queue-consumer-lag-03", "retry-callee-cause-01", "fixture-sibling-errors",
    ];

    public static TheoryData<string> Cases => [.. CaseNames];

    private static Trace Load(string name) =>
        TraceReader.ReadFileAsync(Path.Combine(BadInputHarness.RepoRoot(), "eval", "cases", name, "trace.json")).GetAwaiter().GetResult().Traces[0];

    private static Dictionary<string, Span> ById(Trace trace) => trace.Spans.ToDictionary(s => s.SpanId, StringComparer.OrdinalIgnoreCase);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Rename_EveryCase_KeepsTheTreeAndRenamesConsistently(string name)
    {
        var trace = Load(name);

        var renamed = MetamorphicTransformations.Rename.Apply(trace, 1);

        var before = ById(trace);
        var after = ById(renamed.Trace);
        Assert.Equal(before.Keys.Order(), after.Keys.Order());
        Assert.All(before.Values, s =>
        {
            var r = after[s.SpanId];
            Assert.Equal(s.ParentSpanId, r.ParentSpanId);
            Assert.Equal((s.StartUnixNano, s.EndUnixNano, s.Kind, s.Status), (r.StartUnixNano, r.EndUnixNano, r.Kind, r.Status));
            Assert.Equal(renamed.MapService(s.ServiceName), r.ServiceName);
            Assert.Equal(renamed.MapOperation(s.Name), r.Name);
            Assert.NotEqual(s.ServiceName, r.ServiceName);
            Assert.NotEqual(s.Name, r.Name);
        });
        Assert.Equal(trace.ServiceNames.Count(), renamed.Trace.ServiceNames.Count());
        Assert.Equal(trace.Spans.Select(s => s.Name).Distinct().Count(), renamed.Trace.Spans.Select(s => s.Name).Distinct().Count());
    }

    [Fact]
    public void Rename_Label_IsMappedOntoTheRenamedSpan()
    {
        var trace = Load("error-db-deadlock-order");
        var label = new ExpectedRootCause("ts-order-service", "INSERT ts.orders", "error");

        var renamed = MetamorphicTransformations.Rename.Apply(trace, 1);
        var mapped = renamed.Map(label)!;

        Assert.NotEqual(label.Service, mapped.Service);
        Assert.Contains(renamed.Trace.Spans, s => s.ServiceName == mapped.Service && s.Name == mapped.Span);
        Assert.Null(renamed.Map(null));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ShiftTime_EveryCase_MovesEveryTimestampByOneOffset(string name)
    {
        var trace = Load(name);

        var shifted = MetamorphicTransformations.ShiftTime.Apply(trace, 3).Trace;

        var offset = shifted.Spans[0].StartUnixNano - trace.Spans[0].StartUnixNano;
        Assert.True(Math.Abs(offset) > 86_400_000_000_000L);
        Assert.All(trace.Spans.Zip(shifted.Spans), p =>
        {
            Assert.Equal(p.First.StartUnixNano + offset, p.Second.StartUnixNano);
            Assert.Equal(p.First.EndUnixNano + offset, p.Second.EndUnixNano);
            Assert.Equal(p.First.Events.Select(e => e.TimeUnixNano + offset), p.Second.Events.Select(e => e.TimeUnixNano));
        });
    }

    public static TheoryData<string, TraceFormat> CasesByFormat()
    {
        var data = new TheoryData<string, TraceFormat>();
        foreach (var name in CaseNames)
        {
            foreach (var format in TraceWriter.Formats)
            {
                data.Add(name, format);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(CasesByFormat))]
    public void ToFormat_EveryCaseAndFormat_RoundTripsSpansIdsParentsNamesAndTimes(string name, TraceFormat format)
    {
        var trace = Load(name);

        var converted = MetamorphicTransformations.ToFormat(format).Apply(trace, 0).Trace;

        Assert.Equal(format, converted.Format);
        Assert.Equal(trace.Spans.Count, converted.Spans.Count);
        var after = ById(converted);
        Assert.All(trace.Spans, s =>
        {
            var c = after[s.SpanId];
            Assert.Equal(s.ParentSpanId, c.ParentSpanId);
            Assert.Equal((s.ServiceName, s.Name, s.IsError), (c.ServiceName, c.Name, c.IsError));
            // Jaeger and Zipkin carry microseconds.
            Assert.Equal(s.StartUnixNano / 1000, c.StartUnixNano / 1000);
            Assert.Equal(s.DurationNano / 1000, c.DurationNano / 1000);
            Assert.Equal(s.Events.Count, c.Events.Count);
            if (format != TraceFormat.ZipkinV2)
            {
                // Zipkin has no INTERNAL kind and no OK status; the others carry both.
                Assert.Equal((s.Kind, s.Status), (c.Kind, c.Status));
                Assert.Equal(s.ParentIsFollowsFrom && format == TraceFormat.JaegerV1, c.ParentIsFollowsFrom && format == TraceFormat.JaegerV1);
            }
        });
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ScaleAndJitter_EveryCase_StaysWithinFivePercentAndHalfAMillisecond(string name)
    {
        var trace = Load(name);
        var origin = trace.Spans.Min(s => s.StartUnixNano);

        var jittered = MetamorphicTransformations.ScaleAndJitter.Apply(trace, 5).Trace;

        var moved = 0;
        Assert.All(trace.Spans.Zip(jittered.Spans), p =>
        {
            var (s, j) = p;
            Assert.Equal(s.SpanId, j.SpanId);
            var startOffset = s.StartUnixNano - origin;
            Assert.InRange(j.StartUnixNano - origin, startOffset * 0.95 - 500_001, startOffset * 1.05 + 500_001);
            Assert.InRange(j.EndUnixNano - origin, Math.Min(j.StartUnixNano - origin, (s.EndUnixNano - origin) * 0.95 - 500_001), (s.EndUnixNano - origin) * 1.05 + 500_001);
            Assert.True(j.EndUnixNano >= j.StartUnixNano);
            moved += j.StartUnixNano != s.StartUnixNano ? 1 : 0;
        });
        Assert.True(moved > trace.Spans.Count / 2);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void AddHealthyNoise_EveryCase_KeepsEverySpanAndAddsQuickHealthyOnesUnderExistingSpans(string name)
    {
        var trace = Load(name);

        var noisy = MetamorphicTransformations.AddHealthyNoise.Apply(trace, 9).Trace;

        var before = ById(trace);
        var after = ById(noisy);
        Assert.All(before.Values, s => Assert.Same(s, after[s.SpanId]));
        var added = noisy.Spans.Where(s => !before.ContainsKey(s.SpanId)).ToList();
        Assert.Equal(9, added.Count);
        Assert.All(added, s =>
        {
            Assert.False(s.IsError);
            Assert.True(after.ContainsKey(s.ParentSpanId!));
            var parent = after[s.ParentSpanId!];
            Assert.InRange(s.StartUnixNano, parent.StartUnixNano, parent.EndUnixNano);
            Assert.True(s.DurationNano <= 3_000_000);
        });
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Shuffle_EveryCase_ListsTheSameSpansInAnotherOrder(string name)
    {
        var trace = Load(name);

        var shuffled = MetamorphicTransformations.Shuffle.Apply(trace, 11).Trace;

        Assert.Equal(trace.Spans.OrderBy(s => s.SpanId), shuffled.Spans.OrderBy(s => s.SpanId));
        Assert.NotEqual(trace.Spans.Select(s => s.SpanId), shuffled.Spans.Select(s => s.SpanId));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void DropKinds_EveryCase_MakesEverySpanInternalAndChangesNothingElse(string name)
    {
        var trace = Load(name);

        var dropped = MetamorphicTransformations.DropKinds.Apply(trace, 0).Trace;

        Assert.All(dropped.Spans, s => Assert.Equal(SpanKind.Internal, s.Kind));
        Assert.Equal(trace.Spans.Select(s => (s.SpanId, s.Name, s.StartUnixNano, s.Attributes.Count)), dropped.Spans.Select(s => (s.SpanId, s.Name, s.StartUnixNano, s.Attributes.Count)));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void SemanticConventions_OldThenCurrent_RenamesKeysKeepsValuesAndRoundTrips(string name)
    {
        var trace = Load(name);

        var old = MetamorphicTransformations.OldSemanticConventions.Apply(trace, 0).Trace;
        var current = MetamorphicTransformations.CurrentSemanticConventions.Apply(old, 0).Trace;

        var currentKeys = MetamorphicTransformations.SemanticConventionRenames.Select(r => r.Current).ToHashSet();
        Assert.DoesNotContain(old.Spans.SelectMany(s => s.Attributes), a => currentKeys.Contains(a.Key));
        Assert.All(trace.Spans.Zip(old.Spans, current.Spans), t =>
        {
            Assert.Equal(t.First.Attributes.Count, t.Second.Attributes.Count);
            Assert.Equal(t.First.Attributes.Select(a => a.Value), t.Second.Attributes.Select(a => a.Value));
            if (!t.First.Attributes.Any(a => a.Key is "db.statement" or "http.status_code" or "net.peer.name" or "http.url" or "http.method" or "net.peer.port"))
            {
                Assert.Equal(t.First.Attributes, t.Third.Attributes);
            }
        });
        if (trace.Spans.SelectMany(s => s.Attributes).Any(a => currentKeys.Contains(a.Key)))
        {
            Assert.Contains(old.Spans.SelectMany(s => s.Attributes), a => a.Key is "net.peer.name" or "db.statement" or "http.status_code");
        }
    }
}
