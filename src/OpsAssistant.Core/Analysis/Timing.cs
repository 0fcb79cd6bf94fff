namespace OpsAssistant.Core.Analysis;

/// <summary>
/// Self time and the critical path. Self time is a span's duration minus the union of its children's intervals (clipped to
/// it). The critical path walks back from the end of each span through the child that finished last before the cursor,
/// so concurrent children that finished earlier are off the path: it is the chain that actually set the end-to-end latency.
/// </summary>
public sealed class Timing
{
    private Timing(long[] self, long[] onPath, List<int> path)
    {
        Self = self;
        OnPath = onPath;
        Path = path;
    }

    /// <summary>Own time of each span (ns), not covered by any child.</summary>
    public long[] Self { get; }

    /// <summary>Time each span contributes to the critical path by itself (ns); zero off the path.</summary>
    public long[] OnPath { get; }

    /// <summary>Spans on the critical path in time order.</summary>
    public IReadOnlyList<int> Path { get; }

    public static Timing Compute(SpanTree tree)
    {
        ArgumentNullException.ThrowIfNull(tree);
        var n = tree.Count;
        var self = new long[n];
        for (var i = 0; i < n; i++)
        {
            self[i] = tree.Duration(i) - CoveredByChildren(tree, i);
        }

        var onPath = new long[n];
        var visited = new List<int>();
        var stack = new Stack<Frame>();
        stack.Push(new Frame(tree.Root, tree.End[tree.Root], ByEndDescending(tree, tree.Root)));
        while (stack.Count > 0)
        {
            var frame = stack.Pop();
            var s = frame.Span;
            if (frame.Next == 0)
            {
                visited.Add(s);
            }

            var descended = false;
            while (frame.Next < frame.Children.Length)
            {
                var c = frame.Children[frame.Next++];
                if (tree.Start[c] >= frame.Cursor)
                {
                    continue;
                }

                var childEnd = Math.Min(tree.End[c], frame.Cursor);
                onPath[s] += frame.Cursor - childEnd;
                var resumeAt = Math.Max(tree.Start[c], tree.Start[s]);
                stack.Push(frame with { Cursor = resumeAt });
                stack.Push(new Frame(c, childEnd, ByEndDescending(tree, c)));
                descended = true;
                break;
            }

            if (!descended)
            {
                onPath[s] += Math.Max(0, frame.Cursor - tree.Start[s]);
            }
        }

        var path = visited.Distinct().OrderBy(i => tree.Start[i]).ThenBy(i => tree.Depth[i]).ToList();
        return new Timing(self, onPath, path);
    }

    /// <summary>
    /// Children that can hold up their parent, latest-ending first. Asynchronous work (FOLLOWS_FROM, or a child that
    /// outlives its parent) did not delay the parent's answer, so it is not on the critical path however long it ran.
    /// </summary>
    private static int[] ByEndDescending(SpanTree tree, int span)
    {
        var kids = tree.Children(span).ToArray().Where(c => !tree[c].ParentIsFollowsFrom && tree.End[c] <= tree.End[span] + 1_000_000).ToArray();
        Array.Sort(kids, (a, b) => tree.End[b].CompareTo(tree.End[a]));
        return kids;
    }

    private static long CoveredByChildren(SpanTree tree, int i)
    {
        long covered = 0;
        long runStart = 0, runEnd = long.MinValue;
        foreach (var c in tree.Children(i))
        {
            var s = Math.Max(tree.Start[c], tree.Start[i]);
            var e = Math.Min(tree.End[c], tree.End[i]);
            if (e <= s)
            {
                continue;
            }

            if (s > runEnd)
            {
                covered += Math.Max(0, runEnd - runStart);
                runStart = s;
                runEnd = e;
            }
            else
            {
                runEnd = Math.Max(runEnd, e);
            }
        }

        covered += Math.Max(0, runEnd - runStart);
        return Math.Min(covered, tree.Duration(i));
    }

    private sealed record Frame(int Span, long Cursor, int[] Children)
    {
        public int Next { get; set; }
    }
}
