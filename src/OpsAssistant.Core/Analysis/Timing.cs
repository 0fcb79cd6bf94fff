using System.Buffers;

namespace OpsAssistant.Core.Analysis;

/// <summary>
/// Self time and the critical path. Self time is a span's duration minus the union of its children's intervals (clipped to
/// it). The critical path walks back from the end of each span through the child that finished last before the cursor,
/// so concurrent children that finished earlier are off the path: it is the chain that actually set the end-to-end latency.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1819:Properties should not return arrays", Justification = "Index-parallel arrays over span indices, built once and read in the analysers' hot loops; a copy or wrapper per access would defeat them.")]
public sealed class Timing
{
    private Timing(long[] self, long[] onPath, int[] path)
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
        // The walk's visit order, in a pooled buffer: it can hold every span of the trace (a growing list of
        // 100k indexes left a trail of large-object garbage).
        var visited = ArrayPool<int>.Shared.Rent(Math.Max(16, n));
        var visits = 0;

        // Frames are structs on an array stack, resumed in place (one heap object per visited span before).
        var stack = new Frame[16];
        var depth = 0;

        // One comparison delegate for the whole walk, not a closure per span. The same delegate over the same
        // input keeps the sort's order, ties included, exactly as before.
        Comparison<int> byEndDescending = (a, b) => tree.End[b].CompareTo(tree.End[a]);

        // Each frame's children sit in one pooled buffer used as a stack: a frame's range is freed when the frame is done,
        // and the ranges on the stack at once belong to distinct spans, so n slots always suffice (an array
        // per span with children before).
        var kids = ArrayPool<int>.Shared.Rent(n + 1);
        var top = 0;
        stack[depth++] = new Frame(tree.Root, tree.End[tree.Root], top, ByEndDescending(tree, tree.Root, kids, ref top, byEndDescending));
        while (depth > 0)
        {
            ref var frame = ref stack[depth - 1];
            var s = frame.Span;
            if (frame.Next == 0 && !frame.Visited)
            {
                frame.Visited = true;
                if (visits == visited.Length)
                {
                    var larger = ArrayPool<int>.Shared.Rent(visits * 2);
                    visited.AsSpan(0, visits).CopyTo(larger);
                    ArrayPool<int>.Shared.Return(visited);
                    visited = larger;
                }

                visited[visits++] = s;
            }

            var descended = false;
            while (frame.Next < frame.ChildCount)
            {
                var c = kids[frame.ChildStart + frame.Next++];
                if (tree.Start[c] >= frame.Cursor)
                {
                    continue;
                }

                var childEnd = Math.Min(tree.End[c], frame.Cursor);
                onPath[s] += frame.Cursor - childEnd;

                // The frame stays where it is and is resumed at the child's start once the child is done.
                frame.Cursor = Math.Max(tree.Start[c], tree.Start[s]);
                if (depth == stack.Length)
                {
                    Array.Resize(ref stack, depth * 2);
                }

                var childStart = top;
                stack[depth++] = new Frame(c, childEnd, childStart, ByEndDescending(tree, c, kids, ref top, byEndDescending));
                descended = true;
                break;
            }

            if (!descended)
            {
                onPath[s] += Math.Max(0, stack[depth - 1].Cursor - tree.Start[s]);
                top = stack[depth - 1].ChildStart;
                depth--;
            }
        }

        var path = PathInTimeOrder(tree, visited.AsSpan(0, visits));
        ArrayPool<int>.Shared.Return(visited);
        ArrayPool<int>.Shared.Return(kids);
        return new Timing(self, onPath, path);
    }

    /// <summary>
    /// The visited spans, each once (first visit), ordered by start then depth; equal keys keep visit order, as the stable
    /// Distinct().OrderBy().ThenBy() this replaces did (one array sort instead of LINQ's buffers).
    /// </summary>
    internal static int[] PathInTimeOrder(SpanTree tree, ReadOnlySpan<int> visited)
    {
        var position = ArrayPool<int>.Shared.Rent(tree.Count);
        try
        {
            Array.Fill(position, -1, 0, tree.Count);
            var distinct = 0;
            foreach (var i in visited)
            {
                if (position[i] < 0)
                {
                    position[i] = distinct++;
                }
            }

            var path = new int[distinct];
            if (!TryTreeOrder(tree, position, path))
            {
                SortByKey(tree, visited, position, path);
            }

            return path;
        }
        finally
        {
            ArrayPool<int>.Shared.Return(position);
        }
    }

    /// <summary>
    /// Writes the visited spans in tree pre-order (children by start) when that order is already non-decreasing in (start,
    /// depth) — the usual case, where the spans on the path ran one after another. Runs of equal keys are put in visit
    /// order, so the result is exactly the (start, depth, visit position) order; false when the tree order is not sorted.
    /// Sorting every visited span was two thirds of the timing pass on a 100k-span trace with a long path.
    /// </summary>
    internal static bool TryTreeOrder(SpanTree tree, int[] position, int[] path)
    {
        var m = 0;
        var run = 0;
        foreach (var i in tree.PreOrderSpan)
        {
            if (position[i] < 0)
            {
                continue;
            }

            if (m > 0)
            {
                var last = path[m - 1];
                var c = tree.Start[i].CompareTo(tree.Start[last]);
                c = c != 0 ? c : tree.Depth[i].CompareTo(tree.Depth[last]);
                if (c < 0)
                {
                    return false;
                }

                if (c > 0)
                {
                    OrderByVisit(path.AsSpan(run, m - run), position);
                    run = m;
                }
            }

            path[m++] = i;
        }

        OrderByVisit(path.AsSpan(run, m - run), position);
        return m == path.Length;
    }

    private static void OrderByVisit(Span<int> equalKeys, int[] position)
    {
        if (equalKeys.Length > 1)
        {
            equalKeys.Sort(new ByPosition(position));
        }
    }

    private static void SortByKey(SpanTree tree, ReadOnlySpan<int> visited, int[] position, int[] path)
    {
        var keys = ArrayPool<PathKey>.Shared.Rent(Math.Max(1, path.Length));
        try
        {
            var k = 0;
            foreach (var i in visited)
            {
                // First visits only, in visit order, so a key's position is its index here.
                if (position[i] == k)
                {
                    // Sorted as (start, depth, position) keys with a struct comparer (a delegate call per
                    // comparison over 100k spans before). Position breaks ties, so the order is the same as a stable sort's.
                    keys[k] = new PathKey(tree.Start[i], tree.Depth[i], k, i);
                    k++;
                }
            }

            var sorted = keys.AsSpan(0, path.Length);
            sorted.Sort(default(PathKeyOrder));
            for (var j = 0; j < path.Length; j++)
            {
                path[j] = sorted[j].Span;
            }
        }
        finally
        {
            ArrayPool<PathKey>.Shared.Return(keys);
        }
    }

    private readonly struct ByPosition(int[] position) : IComparer<int>
    {
        public int Compare(int x, int y) => position[x].CompareTo(position[y]);
    }

    private readonly record struct PathKey(long Start, int Depth, int Position, int Span);

    private readonly struct PathKeyOrder : IComparer<PathKey>
    {
        public int Compare(PathKey x, PathKey y)
        {
            var c = x.Start.CompareTo(y.Start);
            c = c != 0 ? c : x.Depth.CompareTo(y.Depth);
            return c != 0 ? c : x.Position.CompareTo(y.Position);
        }
    }

    /// <summary>
    /// Children that can hold up their parent, latest-ending first. Asynchronous work (FOLLOWS_FROM, or a child that
    /// outlives its parent) did not delay the parent's answer, so it is not on the critical path however long it ran.
    /// Writes them at <paramref name="top"/> in <paramref name="buffer"/>, moves it past them and returns how many.
    /// </summary>
    private static int ByEndDescending(SpanTree tree, int span, int[] buffer, ref int top, Comparison<int> byEndDescending)
    {
        var start = top;
        foreach (var c in tree.Children(span))
        {
            if (CanHoldUp(tree, span, c))
            {
                buffer[top++] = c;
            }
        }

        buffer.AsSpan(start, top - start).Sort(byEndDescending);
        return top - start;
    }

    private static bool CanHoldUp(SpanTree tree, int parent, int child) =>
        !tree.FollowsFrom[child] && tree.End[child] <= tree.End[parent] + 1_000_000;

    private static long CoveredByChildren(SpanTree tree, int i)
    {
        var union = default(IntervalUnion);
        foreach (var c in tree.Children(i))
        {
            union.Add(Math.Max(tree.Start[c], tree.Start[i]), Math.Min(tree.End[c], tree.End[i]));
        }

        return Math.Min(union.Total, tree.Duration(i));
    }

    /// <summary>A span being walked: where the path cursor stands in it and which of its children comes next.</summary>
    private struct Frame(int span, long cursor, int childStart, int childCount)
    {
        public readonly int Span = span;

        public long Cursor = cursor;

        public readonly int ChildStart = childStart;

        public readonly int ChildCount = childCount;

        public int Next;

        public bool Visited;
    }
}
