namespace OpsAssistant.Core.Incidents;

/// <summary>The traces of one service read for one window, and whether the window held more than were read.</summary>
/// <param name="Traces">The service's view of each trace read.</param>
/// <param name="Sampled">True when the window held more traces than the limit; those read are then a uniform sample (by trace ID).</param>
public sealed record IncidentWindow(IReadOnlyList<IncidentTrace> Traces, bool Sampled);
