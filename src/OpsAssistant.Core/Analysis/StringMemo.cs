using System.Runtime.CompilerServices;

namespace OpsAssistant.Core.Analysis;

/// <summary>
/// Remembers a function of strings (a regex verdict on a span name or attribute key) for one pass over a trace. Looked up
/// first by reference: the reader shares one string per distinct name, so a 100k-span pass mostly finds its answer without
/// hashing the text; then by value, so strings that are equal but not shared still compute once.
/// </summary>
internal sealed class StringMemo<T>
{
    private const int Slots = 256;
    private readonly string?[] _keys = new string?[Slots];
    private readonly T[] _values = new T[Slots];
    private readonly Dictionary<string, T> _byValue = new(StringComparer.Ordinal);

    public T GetOrAdd(string key, Func<string, T> compute)
    {
        var slot = RuntimeHelpers.GetHashCode(key) & (Slots - 1);
        if (ReferenceEquals(_keys[slot], key))
        {
            return _values[slot];
        }

        if (!_byValue.TryGetValue(key, out var value))
        {
            value = compute(key);
            _byValue[key] = value;
        }

        _keys[slot] = key;
        _values[slot] = value;
        return value;
    }
}
