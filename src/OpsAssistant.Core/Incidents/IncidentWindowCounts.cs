namespace OpsAssistant.Core.Incidents;

/// <summary>How many traces of the service one window holds, and how many of them were slow, failed, or either.</summary>
public sealed record IncidentWindowCounts(int Traces, int Slow, int Failed, int Anomalous);
