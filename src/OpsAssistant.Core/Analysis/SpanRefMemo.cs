using OpsAssistant.Core.Analysis.Findings;

namespace OpsAssistant.Core.Analysis;

/// <summary>
/// The <see cref="SpanRef"/> of a span index, made once, so every finding that names a span shares one reference. Kept
/// by index in a dictionary rather than an array of the trace's size: findings name a few dozen spans, and a 100k-slot
/// array per analysis went to the large-object heap, whose garbage brings on full collections. Locked,
/// because a cached analysis's lazily built critical-path items may be read by concurrent requests.
/// </summary>
internal sealed class SpanRefMemo(SpanTree tree)
{
    private readonly Dictionary<int, SpanRef> _refs = [];

    public SpanRef Get(int i)
    {
        lock (_refs)
        {
            if (!_refs.TryGetValue(i, out var spanRef))
            {
                var span = tree[i];
                spanRef = new SpanRef(span.SpanId, span.ServiceName, span.Name, Math.Round(tree.DurationMs(i), 3));
                _refs.Add(i, spanRef);
            }

            return spanRef;
        }
    }
}
