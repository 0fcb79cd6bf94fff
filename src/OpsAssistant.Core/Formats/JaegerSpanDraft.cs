namespace OpsAssistant.Core.Formats;

/// <summary>A Jaeger span before its process and references are resolved.</summary>
internal sealed class JaegerSpanDraft
{
    public SpanDraft Draft { get; } = new();

    public string? ProcessId { get; set; }

    public OpsAssistant.Core.Model.Resource? InlineProcess { get; set; }

    public List<(string Type, string? TraceId, string? SpanId)> References { get; set; } = [];
}
