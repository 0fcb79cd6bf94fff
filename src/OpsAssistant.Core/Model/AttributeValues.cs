using System.Globalization;

namespace OpsAssistant.Core.Model;

/// <summary>Lookup and formatting helpers over attribute arrays.</summary>
public static class AttributeValues
{
    public static readonly Attribute[] Empty = [];

    public static object? Find(IReadOnlyList<Attribute> attributes, string key) => Find(AsSpan(attributes), key);

    internal static object? Find(ReadOnlySpan<Attribute> attributes, string key)
    {
        foreach (var a in attributes)
        {
            if (string.Equals(a.Key, key, StringComparison.Ordinal))
            {
                return a.Value;
            }
        }

        return null;
    }

    /// <summary>
    /// The attributes as a span. Readers store arrays, so this is free for every span they build; it spares a loop over a
    /// large trace an interface call per element, or an enumerator per span.
    /// </summary>
    public static ReadOnlySpan<Attribute> AsSpan(IReadOnlyList<Attribute> attributes) => attributes switch
    {
        Attribute[] array => array,
        AttributeSlice slice => slice.AsSpan(),
        List<Attribute> list => System.Runtime.InteropServices.CollectionsMarshal.AsSpan(list),
        _ => attributes.ToArray(),
    };

    public static string? FindString(IReadOnlyList<Attribute> attributes, string key) => FindString(AsSpan(attributes), key);

    internal static string? FindString(ReadOnlySpan<Attribute> attributes, string key) =>
        Find(attributes, key) is { } v ? Format(v) : null;

    public static long? FindLong(IReadOnlyList<Attribute> attributes, string key) => FindLong(AsSpan(attributes), key);

    internal static long? FindLong(ReadOnlySpan<Attribute> attributes, string key) => Find(attributes, key) switch
    {
        long l => l,
        double d when d is >= long.MinValue and <= long.MaxValue && !double.IsNaN(d) => (long)d,
        string s when long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l) => l,
        _ => null,
    };

    public static bool? FindBool(IReadOnlyList<Attribute> attributes, string key) => FindBool(AsSpan(attributes), key);

    internal static bool? FindBool(ReadOnlySpan<Attribute> attributes, string key) => Find(attributes, key) switch
    {
        bool b => b,
        string s when bool.TryParse(s, out var b) => b,
        long l => l != 0,
        _ => null,
    };

    public static string Format(object? value) => value switch
    {
        null => "",
        string s => s,
        bool b => b ? "true" : "false",
        long l => l.ToString(CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        byte[] bytes => Convert.ToBase64String(bytes),
        object?[] array => "[" + string.Join(",", array.Select(Format)) + "]",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
