namespace OpsAssistant.Core.Analysis.Findings;

/// <summary>Siblings repeating one call under one parent. Sequential repetition is an N+1; overlapping repetition is a fan-out.</summary>
public sealed record RepeatedCallFinding(SpanRef Parent, string Service, string Operation, int Count, double WindowMs, double SumMs, int OverlappingPairs, bool Sequential, double SharePercent, int Errors, IReadOnlyList<string> SpanIds);
