namespace OpsAssistant.Core.Incidents;

/// <summary>
/// The incident result (docs/result.md, "Incident result"): what changed in the alert window of a service compared with the
/// window before, with exemplar traces and links to their analyses. Returned by <c>POST /api/incidents</c>, stored, read by
/// <c>GET /api/incidents/{id}</c>, and made by alert webhooks for alerts that carry no trace ID.
/// </summary>
public sealed record IncidentResult
{
    public required string IncidentId { get; init; }

    public IncidentStatus Status { get; init; }

    /// <summary>Who asked: <c>api</c>, <c>chat</c>, <c>mcp</c>, <c>alertmanager</c>, <c>grafana</c>.</summary>
    public string Origin { get; init; } = "api";

    /// <summary>The alert's name for alert incidents; null otherwise.</summary>
    public string? Subject { get; init; }

    public required string Service { get; init; }

    /// <summary>The alert window.</summary>
    public required IncidentTimeRange Window { get; init; }

    /// <summary>The window before, of the same length, it is compared with.</summary>
    public required IncidentTimeRange PreviousWindow { get; init; }

    /// <summary>Counts of the alert window; null until done.</summary>
    public IncidentWindowCounts? Counts { get; init; }

    /// <summary>Counts of the window before; null until done.</summary>
    public IncidentWindowCounts? PreviousCounts { get; init; }

    /// <summary>True when a window held more traces than <c>Incidents:MaxTracesPerWindow</c> and was sampled.</summary>
    public bool Sampled { get; init; }

    public IReadOnlyList<DimensionChange> Changes { get; init; } = [];

    public IReadOnlyList<IncidentExemplarAnalysis> Exemplars { get; init; } = [];

    /// <summary>One line saying what changed (or that nothing stands out).</summary>
    public string Summary { get; init; } = "";

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? CompletedAt { get; init; }

    public double ElapsedMs { get; init; }

    /// <summary>Why the incident failed; null otherwise.</summary>
    public string? Error { get; init; }

    /// <summary>How many times a worker has taken it up (alert incidents).</summary>
    public int Attempts { get; init; }
}
