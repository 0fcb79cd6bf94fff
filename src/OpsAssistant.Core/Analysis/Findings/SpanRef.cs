namespace OpsAssistant.Core.Analysis.Findings;

/// <summary>A span named in a finding: its ID, service and operation, and its duration.</summary>
public sealed record SpanRef(string SpanId, string Service, string Operation, double DurationMs);
