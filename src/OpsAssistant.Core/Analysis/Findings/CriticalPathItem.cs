namespace OpsAssistant.Core.Analysis.Findings;

/// <summary>A span on the critical path and the time it alone contributed to end-to-end latency.</summary>
public sealed record CriticalPathItem(SpanRef Span, double OnPathMs, double SelfMs, double SharePercent);
