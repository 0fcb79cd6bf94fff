using System.Collections;
using OpsAssistant.Core.Analysis.Findings;

namespace OpsAssistant.Core.Analysis;

/// <summary>
/// The critical path as findings, each item built the first time it is read (perf, issue 8). A path can hold most of a
/// 100k-span trace, and building an item and a span reference for every span cost a quarter of the analysis, while the
/// prompt reads 40 of them and the ranker none. Enumerating or indexing gives exactly the items an eager list held.
/// </summary>
internal sealed class CriticalPathItems(IReadOnlyList<int> path, Timing timing, Func<int, SpanRef> refOf, Func<long, double> sharePercent)
    : IReadOnlyList<CriticalPathItem>
{
    private readonly CriticalPathItem?[] _items = new CriticalPathItem?[path.Count];

    public int Count => path.Count;

    public CriticalPathItem this[int index]
    {
        get
        {
            if (_items[index] is { } item)
            {
                return item;
            }

            var i = path[index];
            return _items[index] = new CriticalPathItem(refOf(i), OnPathMs(index), Math.Round(timing.Self[i] / 1e6, 3), sharePercent(timing.OnPath[i]));
        }
    }

    /// <summary>The on-path time of the item at <paramref name="index"/>, without building the item.</summary>
    public double OnPathMs(int index) => Math.Round(timing.OnPath[path[index]] / 1e6, 3);

    public IEnumerator<CriticalPathItem> GetEnumerator()
    {
        for (var k = 0; k < Count; k++)
        {
            yield return this[k];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
