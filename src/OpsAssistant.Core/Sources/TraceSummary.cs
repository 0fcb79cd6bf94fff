namespace OpsAssistant.Core.Sources;

/// <summary>One row of a trace search: enough to pick a trace without loading it.</summary>
public sealed record TraceSummary(
    string TraceId,
    string RootService,
    string RootOperation,
    DateTimeOffset Start,
    double DurationMs,
    int SpanCount,
    int ErrorCount,
    IReadOnlyList<string> Services);
