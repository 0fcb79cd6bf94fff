namespace OpsAssistant.Core.Analysis.Findings;

/// <summary>An errored span. <see cref="IsOrigin"/>: no errored span below it started the failure; <see cref="Recovered"/>: a later retry of the same call succeeded, so this error did not cause the outcome.</summary>
public sealed record ErrorFinding(SpanRef Span, string? Message, string? ExceptionType, string Signal, bool IsOrigin, bool Recovered, bool ReachesRoot, double StartOffsetMs, IReadOnlyList<string> ChainSpanIds);
