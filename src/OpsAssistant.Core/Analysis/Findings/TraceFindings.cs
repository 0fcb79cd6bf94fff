namespace OpsAssistant.Core.Analysis.Findings;

/// <summary>
/// Everything the deterministic analysis found in one trace, each list ordered by importance and every item carrying its
/// span IDs. The heuristic ranker turns it into hypotheses; the prompt builder condenses it for the LLM.
/// </summary>
public sealed record TraceFindings
{
    public required string TraceId { get; init; }

    public required TraceOverview Overview { get; init; }

    public IReadOnlyList<string> Warnings { get; init; } = [];

    public IReadOnlyList<CriticalPathItem> CriticalPath { get; init; } = [];

    public IReadOnlyList<ErrorFinding> Errors { get; init; } = [];

    public IReadOnlyList<TimeoutFinding> Timeouts { get; init; } = [];

    public ColdStartFinding? ColdStart { get; init; }

    public IReadOnlyList<Hotspot> Hotspots { get; init; } = [];

    public IReadOnlyList<RepeatedCallFinding> RepeatedCalls { get; init; } = [];

    public IReadOnlyList<RetryFinding> Retries { get; init; } = [];

    public IReadOnlyList<WaitFinding> Waits { get; init; } = [];

    public IReadOnlyList<ResourceFinding> Resources { get; init; } = [];

    public IReadOnlyList<QueueFinding> Queues { get; init; } = [];

    public IReadOnlyList<ServiceTime> Services { get; init; } = [];
}
