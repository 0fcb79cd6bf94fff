using OpsAssistant.EvalGenerator;

namespace OpsAssistant.Core.Tests.Evaluation;

/// <summary>The randomized families plant what their labels say, in the shapes the eval set promises (docs in eval/README.md).</summary>
public sealed class EvalFamilyTests
{
    private static readonly Dictionary<string, GeneratedCase> Built =
        CaseGenerator.Scenarios.Where(s => s.Family is not null).ToDictionary(s => s.Name, s => CaseGenerator.Build(s, 42), StringComparer.Ordinal);

    private static IEnumerable<GeneratedCase> Family(string name) => Built.Values.Where(c => c.Scenario.Family == name);

    [Fact]
    public void Families_SetSize_MeetsTheEvalSetTargets()
    {
        var families = Built.Values.GroupBy(c => c.Scenario.Family!).ToList();

        Assert.True(families.Count >= 24, $"{families.Count} families");
        Assert.All(families, f => Assert.True(f.Count() >= 6, $"{f.Key}: {f.Count()} variants"));
        Assert.All(families, f => Assert.Equal(Enum.GetValues<WireFormat>().Length, f.Select(c => c.Scenario.Format).Distinct().Count()));
        Assert.True(CaseGenerator.Scenarios.Count + FixtureCase.All.Count >= 200);
        Assert.True(Built.Values.Count(c => c.Label is null) >= 20);
    }

    [Fact]
    public void Variants_OfOneFamily_DifferInNamesAndSize()
    {
        foreach (var family in Built.Values.GroupBy(c => c.Scenario.Family!).Where(f => f.Key != "otel-demo-flags"))
        {
            Assert.True(family.Select(c => string.Join(",", c.Trace.Services.Order(StringComparer.Ordinal))).Distinct().Count() >= 5, family.Key + ": service names repeat");
            Assert.True(family.Select(c => c.Trace.Spans.Count).Distinct().Count() >= 2, family.Key + ": every variant has the same size");
        }
    }

    [Fact]
    public void Build_OtherSeed_ChangesTheVariantsButNotTheirCount()
    {
        var other = CaseGenerator.Scenarios.Where(s => s.Family is not null).ToDictionary(s => s.Name, s => CaseGenerator.Build(s, 7), StringComparer.Ordinal);

        Assert.Equal(Built.Keys.Order(), other.Keys.Order());
        Assert.True(Built.Count(kv => kv.Value.Trace.TraceId != other[kv.Key].Trace.TraceId) == Built.Count);
    }

    [Fact]
    public void NPlusOneOverlap_AdjacentCalls_OverlapByAtMostHalfAMillisecondAndNeverRunThreeAtOnce()
    {
        foreach (var c in Family("n-plus-one-overlap"))
        {
            var loop = c.Trace.Spans.Where(s => s.Service == c.Label!.Service && s.Name == c.Label.Span).OrderBy(s => s.StartUs).ToList();
            Assert.True(loop.Count >= 20);
            var overlaps = loop.Zip(loop.Skip(1), (a, b) => a.EndUs - b.StartUs).ToList();
            Assert.All(overlaps, o => Assert.InRange(o, 0, 500));
            Assert.Contains(overlaps, o => o > 0);
            // Sequential in effect: no call overlaps the one two places before it.
            Assert.All(loop.Zip(loop.Skip(2), (a, b) => b.StartUs >= a.EndUs), Assert.True);
        }
    }

    [Fact]
    public void QueueConsumerLag_Consumer_StartsSecondsAfterItsProducerEnds()
    {
        foreach (var c in Family("queue-consumer-lag"))
        {
            var consumer = c.Trace.Spans.Single(s => s.Service == c.Label!.Service && s.Name == c.Label.Span);
            Assert.Equal(GenSpanKind.Consumer, consumer.Kind);
            Assert.Equal(GenSpanKind.Producer, consumer.Parent!.Kind);
            Assert.InRange(consumer.StartUs - consumer.Parent.EndUs, 1_500_000, 6_000_000);
            Assert.True(consumer.DurationUs < 100_000);
        }
    }

    [Fact]
    public void RetryCalleeCause_Label_IsInTheCalleeUnderEveryFailedAttempt()
    {
        foreach (var c in Family("retry-callee-cause"))
        {
            var causes = c.Trace.Spans.Where(s => s.Service == c.Label!.Service && s.Name == c.Label.Span).ToList();
            Assert.True(causes.Count >= 3);
            Assert.All(causes, s =>
            {
                Assert.Equal(GenSpanKind.Server, s.Parent!.Kind);
                Assert.True(s.Parent.Parent!.Error);
                Assert.True(s.DurationUs > s.Parent.DurationUs * 0.8);
            });
        }
    }

    [Fact]
    public void Healthy_Traces_AreFastAndOnlyHandledErrors()
    {
        var healthy = Built.Values.Where(c => c.Label is null).ToList();

        Assert.All(healthy, c =>
        {
            var root = c.Trace.Spans.Single(s => s.Parent is null);
            Assert.True(root.DurationUs < 150_000, $"{c.Scenario.Name}: {root.DurationUs} µs");
            Assert.All(c.Trace.Spans.Where(s => s.Error), s => Assert.Contains(s.Attributes, a => a.Key is "http.response.status_code" or "http.status_code" && a.Value is 404L));
        });
        Assert.Contains(healthy, c => c.Trace.Spans.Any(s => s.Error));
    }

    [Fact]
    public void Build_EveryFamilyVariant_ClosesEverySpanAroundItsSynchronousChildren()
    {
        Assert.All(Built.Values.SelectMany(c => c.Trace.Spans.Select(s => (c.Scenario.Name, Span: s))), x =>
        {
            Assert.True(x.Span.EndUs > x.Span.StartUs, $"{x.Name}: {x.Span.Service}/{x.Span.Name} has no duration");
            if (x.Span.Parent is { } parent && !x.Span.FollowsFrom && parent.Kind != GenSpanKind.Producer)
            {
                Assert.True(x.Span.StartUs >= parent.StartUs, $"{x.Name}: {x.Span.Name} starts before {parent.Name}");
            }
        });
    }
}
