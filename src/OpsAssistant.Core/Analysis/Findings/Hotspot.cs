namespace OpsAssistant.Core.Analysis.Findings;

/// <summary>A span with a large own (self) time on the critical path.</summary>
public sealed record Hotspot(SpanRef Span, double SelfMs, double OnPathMs, double SharePercent, bool IsClientWithoutServer, string? Peer);
