namespace OpsAssistant.Core.Model;

/// <summary>One trace: its spans as read, plus any warnings the reader raised while normalising them.</summary>
public sealed class Trace
{
    public Trace(string traceId, IReadOnlyList<Span> spans, TraceFormat format = TraceFormat.Unknown, IReadOnlyList<string>? warnings = null)
    {
        TraceId = traceId;
        Spans = spans;
        Format = format;
        Warnings = warnings ?? [];
    }

    public string TraceId { get; }

    public IReadOnlyList<Span> Spans { get; }

    public TraceFormat Format { get; }

    /// <summary>Problems found and worked around while reading (duplicate spans dropped, bad timestamps clamped, ...).</summary>
    public IReadOnlyList<string> Warnings { get; }

    public IEnumerable<string> ServiceNames => Spans.Select(s => s.ServiceName).Distinct(StringComparer.Ordinal);
}
