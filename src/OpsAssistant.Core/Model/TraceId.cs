using System.Diagnostics.CodeAnalysis;

namespace OpsAssistant.Core.Model;

/// <summary>
/// A trace ID as every entry point accepts it: 32 hexadecimal characters, or 16 (a 64-bit ID, left-padded to 128 bits),
/// of any case, surrounding white space ignored. Once parsed it is the normalised lower-case 32-character form, so
/// nothing past the edge validates or normalises again.
/// </summary>
public readonly record struct TraceId
{
    private readonly string? _value;

    private TraceId(string value) => _value = value;

    /// <summary>The 32 lower-case hex characters (empty for <c>default</c>).</summary>
    public string Value => _value ?? "";

    /// <summary>What a caller is told when a value is not a trace ID: the accepted forms, without the field name.</summary>
    public const string Format = "16 or 32 hexadecimal characters";

    public static bool TryParse([NotNullWhen(true)] string? text, out TraceId traceId)
    {
        var trimmed = text?.Trim();
        if (!TraceIds.IsValidTraceId(trimmed))
        {
            traceId = default;
            return false;
        }

        traceId = new TraceId(TraceIds.NormalizeTraceId(trimmed!));
        return true;
    }

    /// <exception cref="FormatException">The text is not a trace ID.</exception>
    public static TraceId Parse(string text) =>
        TryParse(text, out var traceId) ? traceId : throw new FormatException($"'{text}' is not a trace ID ({Format}).");

    public override string ToString() => Value;
}
