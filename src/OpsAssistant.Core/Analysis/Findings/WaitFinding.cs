namespace OpsAssistant.Core.Analysis.Findings;

/// <summary>Time spent waiting for a lock, a pool or a queue slot.</summary>
public sealed record WaitFinding(SpanRef Span, string Kind, double OnPathMs, double SharePercent, string? Detail);
