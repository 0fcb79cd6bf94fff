using System.Collections;
using OpsAssistant.Core.Model;

namespace OpsAssistant.Core.Analysis;

/// <summary>
/// A read-only list of span IDs kept as their 64-bit values where readers gave them so, each string made when it is read.
/// For the critical path of a result: on a trace of sequential calls that path holds most spans, and a list of their ID
/// strings was most of the strings a 100k-span analysis made. It holds no span or tree, so a kept result
/// keeps no trace alive. Enumerating twice makes the strings twice; callers serialise it once.
/// </summary>
internal sealed class SpanIdList : IReadOnlyList<string>
{
    private readonly ulong[] _numbers;
    private readonly string?[]? _texts; // per item, the ID when it has no value; null when every item has one

    public SpanIdList(SpanTree tree, IReadOnlyList<int> spans)
    {
        _numbers = new ulong[spans.Count];
        for (var k = 0; k < _numbers.Length; k++)
        {
            var span = tree[spans[k]];
            if (!span.TryGetSpanIdNumber(out _numbers[k]))
            {
                (_texts ??= new string?[_numbers.Length])[k] = span.SpanId;
            }
        }
    }

    public int Count => _numbers.Length;

    public string this[int index] => _texts?[index] ?? TraceIds.SpanIdHex(_numbers[index]);

    public IEnumerator<string> GetEnumerator()
    {
        for (var k = 0; k < _numbers.Length; k++)
        {
            yield return this[k];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
