using System.Buffers;
using OpsAssistant.Core.Model;

namespace OpsAssistant.Core.Analysis;

/// <summary>
/// An index over a trace's spans with the tree repaired for analysis: orphans and extra roots attached under the primary
/// root, parent cycles broken, cross-host clock skew corrected by shifting the skewed subtree into its parent. Times here
/// are the corrected ones; the trace itself is never modified. All walks are iterative: a 100k-deep chain is fine.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1819:Properties should not return arrays", Justification = "Index-parallel arrays over span indices, built once and read in the analysers' hot loops; a copy or wrapper per access would defeat them.")]
public sealed class SpanTree
{
    private readonly int[] _childStart;
    private readonly int[] _children;
    private readonly Span[] _spans;
    private int[]? _preOrder;
    private Dictionary<string, int>? _index;

    private SpanTree(Trace trace, Span[] spans, int root, int[] parent, long[] start, long[] end, bool[] followsFrom, List<string> warnings, Dictionary<string, int>? index)
    {
        FollowsFrom = followsFrom;
        Trace = trace;
        _spans = spans;
        Root = root;
        Parent = parent;
        Start = start;
        End = end;
        Warnings = warnings;
        _index = index;
        var n = parent.Length;
        _childStart = new int[n + 1];
        for (var i = 0; i < n; i++)
        {
            if (parent[i] >= 0)
            {
                _childStart[parent[i] + 1]++;
            }
        }

        for (var i = 0; i < n; i++)
        {
            _childStart[i + 1] += _childStart[i];
        }

        _children = new int[Math.Max(0, _childStart[n])];
        var fill = ArrayPool<int>.Shared.Rent(n + 1);
        _childStart.CopyTo(fill, 0);
        for (var i = 0; i < n; i++)
        {
            if (parent[i] >= 0)
            {
                _children[fill[parent[i]]++] = i;
            }
        }

        ArrayPool<int>.Shared.Return(fill);

        // (start, index) is a total order, so children that already arrive in it (the usual case: exporters write spans in
        // start order) need no sort, and one comparison serves every parent (one comparer per parent before).
        // Spans sorted through a Comparison, not an IComparer: the runtime wraps a comparer in a new delegate per sort, and
        // files grouped by resource put a parent's children from several services out of order, so most parents sort.
        Comparison<int> byStart = (a, b) => start[a] != start[b] ? start[a].CompareTo(start[b]) : a.CompareTo(b);
        for (var p = 0; p < n; p++)
        {
            var kids = _children.AsSpan(_childStart[p], _childStart[p + 1] - _childStart[p]);
            if (kids.Length > 1 && !IsSorted(kids, start))
            {
                kids.Sort(byStart);
            }
        }

        Depth = new int[n];
        foreach (var i in PreOrderSpan)
        {
            Depth[i] = parent[i] < 0 ? 0 : Depth[parent[i]] + 1;
        }
    }

    private static bool IsSorted(ReadOnlySpan<int> kids, long[] start)
    {
        for (var k = 1; k < kids.Length; k++)
        {
            int a = kids[k - 1], b = kids[k];
            if (start[a] > start[b] || (start[a] == start[b] && a > b))
            {
                return false;
            }
        }

        return true;
    }

    public Trace Trace { get; }

    public int Count => Parent.Length;

    public int Root { get; }

    public int[] Parent { get; }

    public long[] Start { get; }

    public long[] End { get; }

    public int[] Depth { get; }

    /// <summary>
    /// Whether each span's parent link is FOLLOWS_FROM, read once with the times so that walks in tree order test it without
    /// reaching into the span objects, which lie scattered over the heap.
    /// </summary>
    internal bool[] FollowsFrom { get; }

    public IReadOnlyList<string> Warnings { get; }

    /// <summary>Span ID (any case) to index; the first span wins when an ID repeats. Built on first use.</summary>
    public IReadOnlyDictionary<string, int> Index => _index ??= StringIndex(_spans, warnings: null);

    public Span this[int i] => _spans[i];

    public long Duration(int i) => End[i] - Start[i];

    public double DurationMs(int i) => Duration(i) / 1e6;

    /// <summary>Children ordered by (corrected) start time.</summary>
    public ReadOnlySpan<int> Children(int i) => _children.AsSpan(_childStart[i], _childStart[i + 1] - _childStart[i]);

    public IEnumerable<int> PreOrder()
    {
        var order = PreOrderArray();
        for (var k = 0; k < order.Length; k++)
        {
            yield return order[k];
        }
    }

    /// <summary>Every span reachable from the root, parents before children, children in start order; computed once.</summary>
    internal ReadOnlySpan<int> PreOrderSpan => PreOrderArray();

    private int[] PreOrderArray()
    {
        if (_preOrder is not null)
        {
            return _preOrder;
        }

        // Every span hangs under the root once the tree is repaired, so the order is sized exactly (trimmed if ever not).
        var order = new int[Count];
        var m = 0;
        var stack = new Stack<int>();
        stack.Push(Root);
        while (stack.Count > 0)
        {
            var i = stack.Pop();
            order[m++] = i;
            var kids = Children(i);
            for (var k = kids.Length - 1; k >= 0; k--)
            {
                stack.Push(kids[k]);
            }
        }

        if (m < order.Length)
        {
            Array.Resize(ref order, m);
        }

        return _preOrder = order;
    }

    public IEnumerable<int> Ancestors(int i)
    {
        for (var p = Parent[i]; p >= 0; p = Parent[p])
        {
            yield return p;
        }
    }

    public static SpanTree Build(Trace trace)
    {
        ArgumentNullException.ThrowIfNull(trace);
        if (trace.Spans.Count == 0)
        {
            throw new ArgumentException("A trace with no spans cannot be analysed.", nameof(trace));
        }

        var spans = trace.Spans as Span[] ?? [.. trace.Spans];
        var n = spans.Length;
        var warnings = new List<string>(trace.Warnings);
        var parent = new int[n];
        var index = LinkByNumber(spans, parent, warnings) ? null : LinkByString(spans, parent, warnings);
        var orphans = 0;
        for (var i = 0; i < n; i++)
        {
            if (parent[i] == -2)
            {
                orphans++;
            }
        }

        var cycles = BreakCycles(parent);
        var start = new long[n];
        var end = new long[n];
        var followsFrom = new bool[n];
        for (var i = 0; i < n; i++)
        {
            var span = spans[i];
            start[i] = span.StartUnixNano;
            end[i] = Math.Max(span.EndUnixNano, start[i]);
            followsFrom[i] = span.ParentIsFollowsFrom;
        }

        // The primary root is the top-level span with the largest subtree (the request itself, not a detached batch job
        // that happens to run longer), then the longest; orphans and other roots hang under it.
        var root = LargestTopLevel(parent, start, end);
        var extraRoots = 0;

        if (root < 0)
        {
            root = 0;
            for (var i = 1; i < n; i++)
            {
                if (end[i] - start[i] > end[root] - start[root])
                {
                    root = i;
                }
            }

            warnings.Add($"The trace has no root span; {spans[root]} was used as the root.");
        }

        for (var i = 0; i < n; i++)
        {
            if (i == root)
            {
                parent[i] = -1;
            }
            else if (parent[i] == -1)
            {
                parent[i] = root;
                extraRoots++;
            }
            else if (parent[i] == -2)
            {
                parent[i] = root;
            }
        }

        if (orphans > 0)
        {
            warnings.Add($"{orphans} span(s) name a parent that is not in the trace (orphans); they were attached under the root {spans[root]}.");
        }

        if (extraRoots > 0)
        {
            warnings.Add($"The trace has {extraRoots + 1} root spans; the others were attached under the longest, {spans[root]}.");
        }

        if (cycles > 0)
        {
            warnings.Add($"{cycles} parent cycle(s) were broken; the spans involved were attached under the root.");
        }

        var tree = new SpanTree(trace, spans, root, parent, start, end, followsFrom, warnings, index);
        tree.CorrectClockSkew();
        return tree;
    }

    /// <summary>
    /// Resolves parent links (-1 root, a zero parent ID included; -2 parent not found or itself) through the span IDs as
    /// 64-bit numbers, when every span ID is 16 hex digits (hashing 100k ID strings case-insensitively was a
    /// third of the tree's cost), taking the values readers decoded rather than making and parsing the strings.
    /// Equal numbers are exactly the IDs equal ignoring case, so links and warnings are those of <see cref="LinkByString"/>.
    /// Returns false, with nothing written, when some span ID has another form.
    /// </summary>
    private static bool LinkByNumber(Span[] spans, int[] parent, List<string> warnings)
    {
        var n = spans.Length;
        var keys = ArrayPool<ulong>.Shared.Rent(n);
        for (var i = 0; i < n; i++)
        {
            if (!spans[i].TryGetSpanIdNumber(out keys[i]) && !TryNumber(spans[i].SpanId, out keys[i]))
            {
                ArrayPool<ulong>.Shared.Return(keys);
                return false;
            }
        }

        using var index = new SpanIdTable(keys, n);
        for (var i = 0; i < n; i++)
        {
            if (!index.TryAdd(i))
            {
                warnings.Add($"Span ID {spans[i].SpanId} appears more than once; later copies are analysed as separate spans.");
            }
        }

        for (var i = 0; i < n; i++)
        {
            var span = spans[i];
            if (span.IsParentless)
            {
                parent[i] = -1;
            }
            else if (span.TryGetParentNumber(out var key) || TryNumber(span.ParentSpanId!, out key))
            {
                parent[i] = key == 0 ? -1 : index.TryGet(key, out var pi) && pi != i ? pi : -2;
            }
            else
            {
                parent[i] = IsZeroId(span.ParentSpanId!) ? -1 : -2;
            }
        }

        return true;
    }

    private static Dictionary<string, int> LinkByString(Span[] spans, int[] parent, List<string> warnings)
    {
        var index = StringIndex(spans, warnings);
        for (var i = 0; i < spans.Length; i++)
        {
            var p = spans[i].ParentSpanId;
            parent[i] = p is null || IsZeroId(p) ? -1 : index.TryGetValue(p, out var pi) && pi != i ? pi : -2;
        }

        return index;
    }

    private static Dictionary<string, int> StringIndex(Span[] spans, List<string>? warnings)
    {
        var index = new Dictionary<string, int>(spans.Length, StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < spans.Length; i++)
        {
            if (!index.TryAdd(spans[i].SpanId, i))
            {
                warnings?.Add($"Span ID {spans[i].SpanId} appears more than once; later copies are analysed as separate spans.");
            }
        }

        return index;
    }

    /// <summary>
    /// The all-zero span ID is the invalid one, which exporters and stores write for "no parent" (the readers map it to null,
    /// spans built or stored elsewhere may still carry it): such a span is a root, not an orphan of a missing parent.
    /// </summary>
    private static bool IsZeroId(string id) => id.Length > 0 && !id.AsSpan().ContainsAnyExcept('0');

    private static bool TryNumber(string id, out ulong key)
    {
        key = 0;
        Span<byte> bytes = stackalloc byte[8];
        if (id.Length != 16 || Convert.FromHexString(id, bytes, out _, out _) != System.Buffers.OperationStatus.Done)
        {
            return false;
        }

        key = System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(bytes);
        return true;
    }

    /// <summary>The top-level span with the most spans under it, then the longest; -1 when there is none.</summary>
    private static int LargestTopLevel(int[] parent, long[] start, long[] end)
    {
        var n = parent.Length;
        var size = ArrayPool<int>.Shared.Rent(n);
        try
        {
            SubtreeSizes(parent, size);
            var root = -1;
            for (var i = 0; i < n; i++)
            {
                if (parent[i] == -1 && (root < 0 || size[i] > size[root] || (size[i] == size[root] && end[i] - start[i] > end[root] - start[root])))
                {
                    root = i;
                }
            }

            return root;
        }
        finally
        {
            ArrayPool<int>.Shared.Return(size);
        }
    }

    /// <summary>Number of spans under each top-level span (cycle-free parents; orphans count for themselves only).</summary>
    private static void SubtreeSizes(int[] parent, int[] size)
    {
        var n = parent.Length;
        var topOf = ArrayPool<int>.Shared.Rent(n);
        Array.Fill(topOf, -1, 0, n);
        Array.Clear(size, 0, n);
        var path = new List<int>();
        for (var i = 0; i < n; i++)
        {
            path.Clear();
            var x = i;
            while (x >= 0 && topOf[x] < 0 && parent[x] >= 0)
            {
                path.Add(x);
                x = parent[x];
            }

            var top = x < 0 ? -1 : topOf[x] >= 0 ? topOf[x] : x;
            if (x >= 0 && topOf[x] < 0)
            {
                topOf[x] = top;
            }

            foreach (var p in path)
            {
                topOf[p] = top;
            }

            if (top >= 0)
            {
                size[top]++;
            }
        }

        ArrayPool<int>.Shared.Return(topOf);
    }

    /// <summary>Marks nodes on parent cycles with -1 (the caller re-attaches them); returns how many cycles were cut.</summary>
    private static int BreakCycles(int[] parent)
    {
        var n = parent.Length;
        var state = ArrayPool<byte>.Shared.Rent(n); // 0 new, 1 on current walk, 2 done
        Array.Clear(state, 0, n);
        var cycles = 0;
        var path = new List<int>();
        for (var i = 0; i < n; i++)
        {
            if (state[i] != 0)
            {
                continue;
            }

            path.Clear();
            var x = i;
            while (x >= 0 && state[x] == 0)
            {
                state[x] = 1;
                path.Add(x);
                x = parent[x];
            }

            if (x >= 0 && state[x] == 1)
            {
                cycles++;
                parent[x] = -2;
            }

            foreach (var p in path)
            {
                state[p] = 2;
            }
        }

        ArrayPool<byte>.Shared.Return(state);
        return cycles;
    }

    /// <summary>
    /// A child on another service that starts before its parent or ends after it is a clock-skew artefact between hosts
    /// (a synchronous call cannot do that). The child's whole subtree is shifted so the child sits centred in the parent,
    /// as Jaeger's adjuster does. Same-service children and FOLLOWS_FROM/async children are left alone: outliving the
    /// parent is real for asynchronous work.
    /// </summary>
    private void CorrectClockSkew()
    {
        var shifted = 0;
        long worst = 0;

        // Shifts pass down lazily (a child first takes its parent's total shift), not by re-walking each shifted subtree:
        // a 100k-deep chain skewed at every level would otherwise cost 100k x 100k steps.
        var inherited = ArrayPool<long>.Shared.Rent(Count);
        Array.Clear(inherited, 0, Count);
        foreach (var i in PreOrderSpan)
        {
            var p = Parent[i];
            if (p < 0)
            {
                continue;
            }

            inherited[i] = inherited[p];
            Start[i] += inherited[p];
            End[i] += inherited[p];

            // The time tests come first: they read only the arrays, and almost every child passes them, so the span objects
            // (scattered over the heap, visited here in tree order) are touched only for the few that might be skewed
            // (reading both spans for every child was 60% of building the tree at 100k spans).
            var duration = Duration(i);
            if ((Start[i] >= Start[p] && End[i] <= End[p]) || duration > Duration(p))
            {
                continue;
            }

            var child = this[i];
            var par = this[p];
            if (FollowsFrom[i] || child.ServiceName == par.ServiceName || QueueDetector.IsMessaging(child) || QueueDetector.IsMessaging(par))
            {
                continue;
            }

            var latency = (Duration(p) - duration) / 2;
            var delta = Start[p] + latency - Start[i];
            Start[i] += delta;
            End[i] += delta;
            inherited[i] += delta;
            shifted++;
            worst = Math.Max(worst, Math.Abs(delta));
        }

        ArrayPool<long>.Shared.Return(inherited);
        if (shifted > 0)
        {
            ((List<string>)Warnings).Add($"Clock skew corrected on {shifted} span(s) (up to {worst / 1e6:0.#} ms): children on other hosts lay outside their parents and were shifted into them.");
        }
    }
}
