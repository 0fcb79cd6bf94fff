namespace OpsAssistant.Core.Analysis.Findings;

/// <summary>A serverless cold start: the platform's shape, its phases and which one dominates.</summary>
public sealed record ColdStartFinding(string Platform, SpanRef Function, double TotalMs, double SharePercent, IReadOnlyList<ColdStartSegment> Segments, ColdStartSegment Dominant);
