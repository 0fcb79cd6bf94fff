namespace OpsAssistant.EvalGenerator;

/// <summary>A generated trace: its spans in creation order and the resource attributes of each service.</summary>
internal sealed class GenTrace(string traceId, IReadOnlyList<GenSpan> spans, IReadOnlyDictionary<string, List<KeyValuePair<string, object>>> resources)
{
    public string TraceId { get; } = traceId;

    public IReadOnlyList<GenSpan> Spans { get; } = spans;

    public IReadOnlyDictionary<string, List<KeyValuePair<string, object>>> Resources { get; } = resources;

    /// <summary>Services in order of first appearance, so emitters group spans deterministically.</summary>
    public IReadOnlyList<string> Services => Spans.Select(s => s.Service).Distinct(StringComparer.Ordinal).ToList();
}
