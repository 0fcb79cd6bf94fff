namespace OpsAssistant.Core.Analysis.Findings;

/// <summary>Evidence of resource starvation on a span: GC pauses, CPU throttling, memory pressure.</summary>
public sealed record ResourceFinding(SpanRef Span, string Kind, double? PauseMs, double SharePercent, IReadOnlyList<string> Evidence);
