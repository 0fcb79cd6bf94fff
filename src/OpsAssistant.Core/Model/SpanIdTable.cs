using System.Buffers;
using System.Numerics;

namespace OpsAssistant.Core.Model;

/// <summary>
/// Span indexes by 64-bit span ID, for linking parents while a tree is built: open addressing over two pooled arrays, so
/// a 100k-span trace leaves no large-object garbage behind (the <c>Dictionary&lt;ulong,int&gt;</c> it replaces
/// allocated 2.8 MB on the large-object heap per tree, which under server GC brought on gen2 collections). The first span
/// added under an ID keeps it, as <see cref="Dictionary{TKey,TValue}.TryAdd"/> did.
/// </summary>
internal readonly struct SpanIdTable : IDisposable
{
    private readonly ulong[] _keys;
    private readonly int[] _slots; // span index + 1; 0 marks an empty slot
    private readonly int _mask;
    private readonly int _shift;

    /// <param name="keys">Span IDs by span index; the table reads them and returns the array to the pool when disposed.</param>
    /// <param name="count">How many spans there are.</param>
    public SpanIdTable(ulong[] keys, int count)
    {
        // At most half full, so probes stay short.
        var size = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(8, count * 2));
        _keys = keys;
        _slots = ArrayPool<int>.Shared.Rent(size);
        Array.Clear(_slots, 0, size);
        _mask = size - 1;
        _shift = 64 - BitOperations.Log2((uint)size);
    }

    /// <summary>Adds span <paramref name="index"/> under its ID; false when an earlier span already has that ID.</summary>
    public bool TryAdd(int index)
    {
        var key = _keys[index];
        for (var slot = Home(key); ; slot = (slot + 1) & _mask)
        {
            var held = _slots[slot];
            if (held == 0)
            {
                _slots[slot] = index + 1;
                return true;
            }

            if (_keys[held - 1] == key)
            {
                return false;
            }
        }
    }

    public bool TryGet(ulong key, out int index)
    {
        for (var slot = Home(key); ; slot = (slot + 1) & _mask)
        {
            var held = _slots[slot];
            if (held == 0)
            {
                index = -1;
                return false;
            }

            if (_keys[held - 1] == key)
            {
                index = held - 1;
                return true;
            }
        }
    }

    public void Dispose()
    {
        ArrayPool<int>.Shared.Return(_slots);
        ArrayPool<ulong>.Shared.Return(_keys);
    }

    // Fibonacci hashing: span IDs are random, but some generators count up, and the multiply spreads sequential IDs too.
    private int Home(ulong key) => (int)((key * 0x9E3779B97F4A7C15UL) >> _shift);
}
