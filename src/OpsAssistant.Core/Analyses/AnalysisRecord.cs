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

    public DateTimeOffset CreatedAt { get; init; } = DateTimeOffset.UtcNow;

    public DateTimeOffset? CompletedAt { get; init; }

    public AnalysisResult? Result { get; init; }

    public string? Error { get; init; }
}
