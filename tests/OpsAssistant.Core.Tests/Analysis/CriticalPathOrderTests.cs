using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using OpsAssistant.Core.Analysis;
using OpsAssistant.Core.Model;

namespace OpsAssistant.Core.Tests.Analysis;

/// <summary>
/// The critical path is reported in time order: by start, then depth, then the order the walk reached the spans. The
/// timing pass takes that order from the tree's pre-order when it is already sorted and sorts otherwise; both must give
/// exactly the order a stable sort of the walk would.
/// </summary>
public sealed class CriticalPathOrderTests
{
    [Property(MaxTest = 300)]
    public Property PathInTimeOrder_IsTheStableSortOfTheWalkByStartThenDepth() =>
        Prop.ForAll(Walks().ToArbitrary(), sample =>
        {
            var (tree, visited) = sample;

            var ordered = Timing.PathInTimeOrder(tree, visited);

            return ordered.SequenceEqual(Reference(tree, visited));
        });

    [Property(MaxTest = 300)]
    public Property TreeOrder_WhenItAppliesAgreesWithTheStableSort() =>
        Prop.ForAll(Walks().ToArbitrary(), sample =>
        {
            var (tree, visited) = sample;
            var distinct = visited.Distinct().ToArray();
            var path = new int[distinct.Length];

            return !Timing.TryTreeOrder(tree, Positions(tree, distinct), path) || path.SequenceEqual(Reference(tree, visited));
        });

    [Fact]
    public void TreeOrder_SequentialCallsWithTiesAtTheSameStart_AreInVisitOrder()
    {
        // Root, then two children starting together (a tie on start and depth), then one after them.
        var t = new TraceBuilder();
        var root = t.Add("svc", "root", 0, 100);
        t.Add("svc", "a", 10, 20, root);
        t.Add("svc", "b", 10, 30, root);
        t.Add("svc", "c", 50, 40, root);
        var tree = SpanTree.Build(t.Build());
        int[] visited = [0, 3, 2, 1]; // the walk runs backwards in time: b is reached before a
        var path = new int[4];

        var applied = Timing.TryTreeOrder(tree, Positions(tree, visited), path);

        Assert.True(applied);
        Assert.Equal([0, 2, 1, 3], path);
        Assert.Equal(path, Timing.PathInTimeOrder(tree, visited));
    }

    [Fact]
    public void TreeOrder_OverlappingSubtrees_FallBackToTheSort()
    {
        // a's child starts after b: pre-order (a, a1, b) is not in time order.
        var t = new TraceBuilder();
        var root = t.Add("svc", "root", 0, 100);
        var a = t.Add("svc", "a", 10, 60, root);
        t.Add("svc", "a1", 40, 20, a);
        t.Add("svc", "b", 20, 70, root);
        var tree = SpanTree.Build(t.Build());
        int[] visited = [0, 3, 1, 2];

        Assert.False(Timing.TryTreeOrder(tree, Positions(tree, visited), new int[4]));
        Assert.Equal([0, 1, 3, 2], Timing.PathInTimeOrder(tree, visited));
    }

    private static int[] Reference(SpanTree tree, int[] visited) =>
        [.. visited.Distinct().OrderBy(i => tree.Start[i]).ThenBy(i => tree.Depth[i])];

    private static int[] Positions(SpanTree tree, int[] distinct)
    {
        var position = Enumerable.Repeat(-1, tree.Count).ToArray();
        for (var k = 0; k < distinct.Length; k++)
        {
            position[distinct[k]] = k;
        }

        return position;
    }

    /// <summary>
    /// Small trees whose children start on a coarse grid (ties and sequential runs are common, so the tree order often
    /// applies) and a walk over some of their spans with repeats, in any order.
    /// </summary>
    private static Gen<(SpanTree Tree, int[] Visited)> Walks() =>
        from n in Gen.Choose(1, 30)
        from parents in Gen.ArrayOf(Gen.Choose(0, 1000), n)
        from starts in Gen.ArrayOf(Gen.Choose(0, 6), n)
        from durations in Gen.ArrayOf(Gen.Choose(0, 4), n)
        from visits in Gen.ArrayOf(Gen.Choose(0, 1000), n)
        let tree = Tree(parents, starts, durations)
        select (tree, visits.Select(v => v % tree.Count).Prepend(tree.Root).ToArray());

    private static SpanTree Tree(int[] parents, int[] starts, int[] durations)
    {
        var t = new TraceBuilder();
        var ids = new List<string>();
        for (var i = 0; i < parents.Length; i++)
        {
            // Each span hangs under an earlier one; sequential starts within a parent's window keep pre-order sorted often.
            var parent = i == 0 ? null : ids[parents[i] % i];
            ids.Add(t.Add("svc", "op" + i, starts[i] * 10, durations[i] * 10, parent));
        }

        return SpanTree.Build(t.Build());
    }
}
