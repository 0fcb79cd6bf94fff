namespace OpsAssistant.Core.Analysis.Findings;

/// <summary>One phase of a cold start (PrepareCode, RuntimeInitialization, Initializer, Initialization...).</summary>
public sealed record ColdStartSegment(string Phase, SpanRef Span, double DurationMs);
