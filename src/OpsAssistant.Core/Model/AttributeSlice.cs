using System.Collections;

namespace OpsAssistant.Core.Model;

/// <summary>
/// One span's attributes inside an array that many spans share (see <see cref="AttributeChunks"/>), as the
/// <see cref="IReadOnlyList{T}"/> the public model hands out. Reads only its own range; the shared array is not exposed.
/// </summary>
internal sealed class AttributeSlice(Attribute[] array, int start, int count) : IReadOnlyList<Attribute>
{
    public int Count => count;

    public Attribute this[int index] => (uint)index < (uint)count ? array[start + index] : throw new ArgumentOutOfRangeException(nameof(index));

    public ReadOnlySpan<Attribute> AsSpan() => array.AsSpan(start, count);

    public IEnumerator<Attribute> GetEnumerator()
    {
        for (var k = 0; k < count; k++)
        {
            yield return array[start + k];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
