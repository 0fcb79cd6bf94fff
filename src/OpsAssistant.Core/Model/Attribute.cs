namespace OpsAssistant.Core.Model;

/// <summary>
/// One key/value attribute. <see cref="Value"/> is a <see cref="string"/>, <see cref="long"/>, <see cref="double"/>,
/// <see cref="bool"/>, <c>byte[]</c>, an <c>object?[]</c> (array value) or null, as the wire format carried it.
/// Spans hold attributes in arrays rather than dictionaries: a million-span trace cannot afford a hash table per span.
/// </summary>
public readonly record struct Attribute(string Key, object? Value)
{
    public override string ToString() => $"{Key}={AttributeValues.Format(Value)}";
}
