namespace OpsAssistant.Core.Model;

/// <summary>
/// Packs the attribute lists of many spans into shared arrays, each span keeping a range of one (an array
/// per span was 100k objects on a 100k-span trace, which every collection during the read had to copy up through the
/// generations). Chunks stay under the large-object threshold, so they are collected like the spans that use them. One
/// reader fills one instance; not thread-safe.
/// </summary>
internal sealed class AttributeChunks
{
    // 4,096 attributes of 16 bytes: 64 KB, below the 85,000-byte large-object threshold.
    private const int ChunkLength = 4096;

    // A longer list gets an array of its own: it would waste too much of a chunk's tail.
    private const int MaxShared = ChunkLength / 16;

    private Attribute[] _chunk = [];
    private int _used;

    /// <summary>Copies <paramref name="attributes"/> into a chunk and returns where they went.</summary>
    public AttributeRange Add(ReadOnlySpan<Attribute> attributes)
    {
        if (attributes.IsEmpty)
        {
            return default;
        }

        if (attributes.Length > MaxShared)
        {
            return new AttributeRange(attributes.ToArray(), 0, attributes.Length);
        }

        if (_chunk.Length - _used < attributes.Length)
        {
            _chunk = new Attribute[ChunkLength];
            _used = 0;
        }

        attributes.CopyTo(_chunk.AsSpan(_used));
        var range = new AttributeRange(_chunk, _used, attributes.Length);
        _used += attributes.Length;
        return range;
    }
}

/// <summary>A span's attributes as a range of a shared array; the default value is no attributes.</summary>
internal readonly record struct AttributeRange(Attribute[]? Array, int Start, int Count)
{
    public ReadOnlySpan<Attribute> AsSpan() => Array is null ? default : Array.AsSpan(Start, Count);
}
