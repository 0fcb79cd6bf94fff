namespace OpsAssistant.Core.Analysis.Findings;

/// <summary>An errored span. <see cref="IsOrigin"/>: no errored span below it started the failure; <see cref="Recovered"/>: a later retry of the same call succeeded, so this error did not cause the outcome.</summary>
public sealed record ErrorFinding(SpanRef Span, string? Message, string? ExceptionType, string Signal, bool IsOrigin, bool Recovered, bool ReachesRoot, double StartOffsetMs, IReadOnlyList<string> ChainSpanIds)
{
    /// <summary>A client-class answer (HTTP 4xx, gRPC NOT_FOUND and the like) that the caller did not turn into a failure of its own.</summary>
    public bool Handled { get; init; }

    /// <summary>A call refused at once by an open circuit breaker or a full bulkhead: a symptom of what opened it.</summary>
    public bool FailFast { get; init; }
}
