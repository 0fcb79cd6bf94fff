namespace OpsAssistant.Core.Incidents;

/// <summary>The outcome of <see cref="IncidentComparer.Compare"/>: counts, ranked changes, exemplars and a one-line summary.</summary>
public sealed record IncidentComparison
{
    public required IncidentWindowCounts Alert { get; init; }

    public required IncidentWindowCounts Previous { get; init; }

    /// <summary>Changed dimensions, strongest first.</summary>
    public IReadOnlyList<DimensionChange> Changes { get; init; } = [];

    public IReadOnlyList<IncidentExemplar> Exemplars { get; init; } = [];

    public required string Summary { get; init; }
}
