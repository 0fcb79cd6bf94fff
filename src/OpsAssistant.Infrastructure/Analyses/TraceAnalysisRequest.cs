using OpsAssistant.Core.Analyses;
using OpsAssistant.Core.Model;

namespace OpsAssistant.Infrastructure.Analyses;

/// <summary>"Analyse this trace": which trace, from which source, on whose behalf, and whether the analysis is stored here.</summary>
/// <param name="TraceId">The trace, validated at the edge.</param>
/// <param name="Origin">Who asks; stored on the analysis.</param>
public sealed record TraceAnalysisRequest(TraceId TraceId, AnalysisOrigin Origin)
{
    /// <summary>A source name (<c>store</c>, <c>jaeger</c>, ...); null for the configured one.</summary>
    public string? Source { get; init; }

    /// <summary>
    /// Store the result as a done analysis (<see cref="IAnalysisStore.SaveAsync"/>), so <c>GET /api/analyses/{id}</c> finds it.
    /// False where someone else records it: the queue worker under its lease, the chat as it shows the result, or nobody (the CLI).
    /// </summary>
    public bool Record { get; init; }

    /// <summary>The ID the result carries instead of the engine's (a queued job's row ID).</summary>
    public string? AnalysisId { get; init; }
}
