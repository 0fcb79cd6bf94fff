namespace OpsAssistant.Core.Formats;

/// <summary>Limits that keep hostile or accidental input from exhausting the process.</summary>
public sealed record TraceReadOptions
{
    public static TraceReadOptions Default { get; } = new();

    /// <summary>More spans than this is an error naming the limit, not an out-of-memory crash.</summary>
    public int MaxSpans { get; init; } = 2_000_000;

    /// <summary>Longer string values are cut (with a marker and a warning); one 50 MB attribute must not cost 50 MB per copy.</summary>
    public int MaxAttributeValueLength { get; init; } = 16 * 1024;

    /// <summary>JSON nesting beyond this is rejected (OTLP nests ~8 deep; 10k-deep input must not overflow the stack).</summary>
    public int MaxDepth { get; init; } = 64;

    /// <summary>Input larger than this is rejected before parsing.</summary>
    public long MaxBytes { get; init; } = 2L * 1024 * 1024 * 1024 - 64;
}
