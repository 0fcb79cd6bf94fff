namespace OpsAssistant.Core.Analysis.Findings;

/// <summary>Siblings repeating one call under one parent. Sequential repetition is an N+1; overlapping repetition is a fan-out.</summary>
public sealed record RepeatedCallFinding(SpanRef Parent, string Service, string Operation, int Count, double WindowMs, double SumMs, int OverlappingPairs, bool Sequential, double SharePercent, int Errors, IReadOnlyList<string> SpanIds)
{
    /// <summary>Summed call time over the time covered by the calls, sub-millisecond overlaps forgiven: about 1 for a loop, the worker count for a fan-out.</summary>
    public double Concurrency { get; init; } = 1;

    /// <summary>When the repeated spans are per-item wrappers, the client or database call each iteration spends its time in.</summary>
    public SpanRef? Inner { get; init; }
}
