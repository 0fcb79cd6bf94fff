using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using OpsAssistant.Core.Analysis;
using OpsAssistant.Core.Model;

namespace OpsAssistant.Core.Tests.Analysis;

public sealed class AnalysisPropertyTests
{
    /// <summary>
    /// Any tree — random parents (including missing ones and cycles), random times (including children outside parents),
    /// random errors — analyses without throwing, and every hypothesis cites only spans that exist, with a sane confidence.
    /// </summary>
    [Property(MaxTest = 200)]
    public Property Analyze_AnyTree_CitesOnlyExistingSpans() =>
        Prop.ForAll(Gen.Choose(1, 60).SelectMany(n => Gen.ArrayOf(SpanGen(n), n)).ToArbitrary(), raw =>
        {
            var t = new TraceBuilder();
            for (var i = 0; i < raw.Length; i++)
            {
                var (parent, start, duration, error, service) = raw[i];
                t.Add("svc-" + service, "op-" + (i % 5), start, duration, parent < 0 ? null : (parent + 1).ToString("x16", System.Globalization.CultureInfo.InvariantCulture),
                    error: error, id: (i + 1).ToString("x16", System.Globalization.CultureInfo.InvariantCulture));
            }

            var trace = t.Build();
            var result = HeuristicRanker.Rank(TraceAnalyzer.Analyze(trace));
            var ids = trace.Spans.Select(s => s.SpanId).ToHashSet();
            return result.Hypotheses.Count is >= 1 and <= 6
                && result.Hypotheses.All(h => h.SpanIds.Count > 0 && h.SpanIds.All(ids.Contains) && h.Confidence is >= 0 and <= 1)
                && result.Hypotheses.Select(h => h.Rank).SequenceEqual(Enumerable.Range(1, result.Hypotheses.Count));
        });

    private static Gen<(int Parent, double Start, double Duration, bool Error, int Service)> SpanGen(int n) =>
        from parent in Gen.Choose(-1, n + 2)
        from start in Gen.Choose(-50, 500)
        from duration in Gen.Choose(0, 400)
        from error in Gen.Frequency((1, Gen.Constant(true)), (4, Gen.Constant(false)))
        from service in Gen.Choose(0, 4)
        select (parent >= n ? 999 : parent, (double)start, (double)duration, error, service);
}
