using OpsAssistant.Core.Results;

namespace OpsAssistant.Core.Analyses;

/// <summary>
/// An analysis as persisted: requested synchronously through the API (stored done), or queued from an alert webhook and
/// worked later. <see cref="Origin"/> says who asked (api, chat, alertmanager, grafana).
/// </summary>
public sealed record AnalysisRecord
{
    public required string Id { get; init; }

    public required string TraceId { get; init; }

    public AnalysisStatus Status { get; init; }

    public string Origin { get; init; } = "api";

    public string? Source { get; init; }

    /// <summary>When it was asked for, by the writer's clock (its <see cref="TimeProvider"/>), so it orders with <see cref="CompletedAt"/>.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? CompletedAt { get; init; }

    public AnalysisResult? Result { get; init; }

    public string? Error { get; init; }

    /// <summary>What asked for it in words an operator recognises, e.g. the alert name; used in notifications.</summary>
    public string? Subject { get; init; }

    /// <summary>
    /// The W3C <c>traceparent</c> of the request that queued it, so the queued analysis (and its LLM call) continues the
    /// caller's trace instead of starting a disconnected one.
    /// </summary>
    public string? TraceParent { get; init; }

    /// <summary>When the alert behind it was delivered as resolved (null while it fires, and for non-alert analyses).</summary>
    public DateTimeOffset? ResolvedAt { get; init; }

    /// <summary>How many times a worker has claimed it (the queue's attempt count; 0 for synchronous analyses).</summary>
    public int Attempts { get; init; }
}
