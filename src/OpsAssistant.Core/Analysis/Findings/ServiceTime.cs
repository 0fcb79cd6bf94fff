namespace OpsAssistant.Core.Analysis.Findings;

/// <summary>Per-service totals.</summary>
public sealed record ServiceTime(string Service, int Spans, int Errors, double SelfMs, double OnPathMs);
