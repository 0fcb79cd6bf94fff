namespace OpsAssistant.Core.Analysis.Findings;

/// <summary>What the trace is: root, size, duration, errors.</summary>
public sealed record TraceOverview(SpanRef Root, double DurationMs, int SpanCount, int ServiceCount, int ErrorCount, DateTimeOffset Start);
