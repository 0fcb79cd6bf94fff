using System.Globalization;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using OpsAssistant.Core.Analysis;
using OpsAssistant.Core.Model;

namespace OpsAssistant.Core.Tests.Analysis;

/// <summary>
/// The tree links parents through span IDs read as numbers when every ID is 16 hex digits, and through the strings
/// otherwise. Both must give the same tree: same parents, root, depths and warnings, whatever the case of the digits.
/// </summary>
public sealed class SpanTreeLinkTests
{
    [Property(MaxTest = 150)]
    public Property Build_SameTreeWhateverTheSpellingOfTheIds() =>
        Prop.ForAll(Gen.Choose(1, 40).SelectMany(n => Gen.ArrayOf(SpanGen(n), n)).ToArbitrary(), raw =>
        {
            // Lower-case hex (numbers), upper-case hex (numbers, equal ignoring case) and a non-hex spelling (strings).
            var lower = SpanTree.Build(Build(raw, i => i.ToString("x16", CultureInfo.InvariantCulture)));
            var upper = SpanTree.Build(Build(raw, i => i.ToString("X16", CultureInfo.InvariantCulture)));
            var named = SpanTree.Build(Build(raw, i => "s" + i.ToString("D4", CultureInfo.InvariantCulture) + "x", zeroIsRoot: true)); // fixed width: no ID is inside another
            var byValue = SpanTree.Build(ByValue(lower.Trace)); // IDs handed over as numbers, as the OTLP readers do
            return Same(lower, upper) && Same(lower, named) && Same(lower, byValue)
                && Enumerable.Range(0, lower.Count).All(i => lower[i].SpanId == byValue[i].SpanId
                    && (lower[i].ParentSpanId is "0000000000000000" ? null : lower[i].ParentSpanId) == byValue[i].ParentSpanId);
        });

    [Fact]
    public void Build_ParentNamedInOtherCase_IsLinked()
    {
        var trace = Trace(("00000000000000AB", null), ("0000000000000002", "00000000000000ab"));

        var tree = SpanTree.Build(trace);

        Assert.Equal(0, tree.Parent[1]);
        Assert.Empty(tree.Warnings);
        Assert.Equal(0, tree.Index["00000000000000ab"]);
    }

    [Fact]
    public void Build_RepeatedId_WarnsOnceAndTheFirstSpanIsTheParent()
    {
        var trace = Trace(("0000000000000001", null), ("0000000000000001", null), ("0000000000000003", "0000000000000001"));

        var tree = SpanTree.Build(trace);

        Assert.Equal(0, tree.Parent[2]);
        Assert.Single(tree.Warnings, w => w.Contains("0000000000000001 appears more than once", StringComparison.Ordinal));
        Assert.Equal(0, tree.Index["0000000000000001"]);
    }

    [Theory]
    [InlineData("0000000000000000")]
    [InlineData("0")]
    public void Build_ZeroParentId_IsARootNotAnOrphan(string zero)
    {
        // Stored spans and hand-built ones may carry the zero ID as text; readers give it as no parent.
        var trace = Trace(("0000000000000001", null), ("0000000000000002", "0000000000000001"), ("0000000000000003", zero));

        var tree = SpanTree.Build(trace);

        Assert.Equal([-1, 0, 0], tree.Parent);
        Assert.Contains(tree.Warnings, w => w.StartsWith("The trace has 2 root spans", StringComparison.Ordinal));
        Assert.DoesNotContain(tree.Warnings, w => w.Contains("orphans", StringComparison.Ordinal));
    }

    [Fact]
    public void Build_SelfParentAndMissingParent_AreOrphansUnderTheRoot()
    {
        var trace = Trace(("0000000000000001", null), ("0000000000000002", "0000000000000002"), ("0000000000000003", "00000000000000ff"));

        var tree = SpanTree.Build(trace);

        Assert.Equal([-1, 0, 0], tree.Parent);
        Assert.Contains(tree.Warnings, w => w.StartsWith("2 span(s) name a parent that is not in the trace", StringComparison.Ordinal));
    }

    private static bool Same(SpanTree a, SpanTree b)
    {
        var ids = new Dictionary<string, string>();
        for (var i = 0; i < a.Count; i++)
        {
            ids[b[i].SpanId] = a[i].SpanId;
        }

        // Warnings quote span IDs: spell b's the way a spells them before comparing.
        var warnings = b.Warnings.Select(w => ids.Aggregate(w, (text, id) => text.Replace(id.Key, id.Value, StringComparison.Ordinal)));
        return a.Parent.SequenceEqual(b.Parent) && a.Root == b.Root && a.Depth.SequenceEqual(b.Depth)
            && a.Start.SequenceEqual(b.Start) && a.Warnings.SequenceEqual(warnings);
    }

    private static Trace Build((int Parent, int Id, double Start, double Duration)[] raw, Func<int, string> id, bool zeroIsRoot = false)
    {
        var t = new TraceBuilder();
        foreach (var (parent, own, start, duration) in raw)
        {
            t.Add("svc", "op", start, duration, parent < 0 || (zeroIsRoot && parent == 0) ? null : id(parent), id: id(own));
        }

        return t.Build();
    }

    /// <summary>The same spans with their IDs given by value (as the readers do, a zero parent by value is no parent).</summary>
    private static Trace ByValue(Trace trace) => new(trace.TraceId, [.. trace.Spans.Select(s =>
    {
        var parent = s.ParentSpanId is null ? 0 : ulong.Parse(s.ParentSpanId, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        return new Span(s.TraceId, spanId: null, ulong.Parse(s.SpanId, NumberStyles.HexNumber, CultureInfo.InvariantCulture), parentSpanId: null, parent, s.Name)
        {
            Kind = s.Kind,
            StartUnixNano = s.StartUnixNano,
            EndUnixNano = s.EndUnixNano,
            Status = s.Status,
            Resource = s.Resource,
            Attributes = s.Attributes,
        };
    })]);

    private static Trace Trace(params (string Id, string? Parent)[] spans)
    {
        var t = new TraceBuilder();
        var start = 0;
        foreach (var (id, parent) in spans)
        {
            t.Add("svc", "op", start++, 10, parent, id: id);
        }

        return t.Build();
    }

    /// <summary>
    /// IDs drawn from a small range so repeats, self-parents, cycles and missing parents all occur. Parent 0 is drawn too: in
    /// hex it is the zero ID, a root, so the non-hex spelling writes it as no parent to mean the same.
    /// </summary>
    private static Gen<(int Parent, int Id, double Start, double Duration)> SpanGen(int n) =>
        from parent in Gen.Choose(-1, n + 2)
        from id in Gen.Choose(1, n + 1)
        from start in Gen.Choose(0, 300)
        from duration in Gen.Choose(0, 200)
        select (parent, id, (double)start, (double)duration);
}
