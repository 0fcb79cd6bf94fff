namespace OpsAssistant.Core.Formats;

/// <summary>
/// Per-read string interning: service names, span names, attribute keys and short values repeat across spans,
/// so a million-span trace should hold one copy of "http.method", not a million. Lookups go by
/// <see cref="ReadOnlySpan{T}"/> so a hit allocates nothing.
/// </summary>
internal sealed class StringPool
{
    // Unique values (IDs, URLs with query strings) would otherwise grow the pool without bound and save nothing.
    private const int MaxEntries = 200_000;

    private readonly Dictionary<string, string> _strings = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    public StringPool()
    {
        _lookup = _strings.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public string Intern(ReadOnlySpan<char> chars)
    {
        if (chars.IsEmpty)
        {
            return string.Empty;
        }

        if (_lookup.TryGetValue(chars, out var existing))
        {
            return existing;
        }

        var created = new string(chars);
        if (_strings.Count < MaxEntries)
        {
            _strings.Add(created, created);
        }

        return created;
    }

    public string Intern(string value) => Intern(value.AsSpan());
}
