using System.Collections;
using OpsAssistant.Core.Analysis.Findings;

namespace OpsAssistant.Core.Analysis;

/// <summary>
/// The critical path as findings, each item built the first time it is read. A path can hold most of a
/// 100k-span trace, and building an item and a span reference for every span cost a quarter of the analysis, while the
/// prompt reads 40 of them and the ranker none. Enumerating or indexing gives exactly the items an eager list held.
/// </summary>
internal sealed class CriticalPathItems(IReadOnlyList<int> path, Timing timing, Func<int, SpanRef> refOf, Func<long, double> sharePercent)
    : IReadOnlyList<CriticalPathItem>
{
    // Built items by position. A dictionary, not an array of the path's length: the prompt reads 40 items of a path that
    // can hold 100k spans, and that array was large-object garbage on every analysis. Locked, because a
    // cached analysis may be read by concurrent requests.
    private readonly Dictionary<int, CriticalPathItem> _items = [];

    public int Count => path.Count;

    public CriticalPathItem this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfNegative(index);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
            lock (_items)
            {
                if (!_items.TryGetValue(index, out var item))
                {
                    var i = path[index];
                    item = new CriticalPathItem(refOf(i), OnPathMs(index), Math.Round(timing.Self[i] / 1e6, 3), sharePercent(timing.OnPath[i]));
                    _items.Add(index, item);
                }

                return item;
            }
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
