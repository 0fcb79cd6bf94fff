namespace OpsAssistant.Core.Formats;

/// <summary>Limits that keep a hostile or broken input from exhausting memory or the stack.</summary>
public sealed record TraceReadOptions
{
    public static TraceReadOptions Default { get; } = new();

    /// <summary>More spans than this (across all traces in the input) is a <see cref="TraceFormatException"/>.</summary>
    public int MaxSpans { get; init; } = 2_000_000;

    /// <summary>
    /// String attribute values longer than this many characters are cut to this length plus a marker, and a warning
    /// is recorded on the trace. A long value is a nuisance, not a reason to refuse the trace.
    /// </summary>
    public int MaxAttributeValueLength { get; init; } = 16 * 1024;

    /// <summary>Deepest JSON nesting accepted. Capped at 1000 because nested attribute values are read recursively.</summary>
    public int MaxDepth { get; init; } = 64;

    internal void Validate()
    {
        if (MaxSpans < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxSpans), MaxSpans, "MaxSpans must be at least 1.");
        }

        if (MaxAttributeValueLength < 16)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxAttributeValueLength), MaxAttributeValueLength, "MaxAttributeValueLength must be at least 16.");
        }

        if (MaxDepth is < 8 or > 1000)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxDepth), MaxDepth, "MaxDepth must be between 8 and 1000.");
        }
    }
}
