using System.Diagnostics.CodeAnalysis;

namespace OpsAssistant.Core.Incidents;

/// <summary>An exemplar trace of an incident result with the analysis made of it (null fields when it could not be analysed).</summary>
public sealed record IncidentExemplarAnalysis : IncidentExemplar
{
    [SetsRequiredMembers]
    public IncidentExemplarAnalysis(IncidentExemplar exemplar)
        : base(exemplar)
    {
        ArgumentNullException.ThrowIfNull(exemplar);
        TraceLink = "/traces/" + exemplar.TraceId;
    }

    /// <summary>For the JSON reader.</summary>
    public IncidentExemplarAnalysis()
    {
    }

    /// <summary>The stored analysis (<c>GET /api/analyses/{id}</c>); null for the contrast, which is not analysed, or on failure.</summary>
    public string? AnalysisId { get; init; }

    /// <summary>Relative link to the analysis: <c>/api/analyses/{id}</c>.</summary>
    public string? AnalysisLink { get; init; }

    /// <summary>Relative link to the trace on the operator page: <c>/traces/{traceId}</c>.</summary>
    public string TraceLink { get; init; } = "";

    /// <summary>The analysis's first hypothesis, e.g. "payments POST /charge failed with 503".</summary>
    public string? Finding { get; init; }

    /// <summary>Why the exemplar has no analysis, when it should have one.</summary>
    public string? Error { get; init; }
}
