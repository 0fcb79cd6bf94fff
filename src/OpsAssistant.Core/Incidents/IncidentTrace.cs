namespace OpsAssistant.Core.Incidents;

/// <summary>
/// What the incident comparison needs of one trace, seen from one service: the service's entry operation, its duration and
/// outcome, and the dimension values its spans carry. Small on purpose: a window holds thousands.
/// </summary>
/// <param name="TraceId">The trace's normalised ID.</param>
/// <param name="StartUnixNano">When the service's entry span started.</param>
/// <param name="DurationNano">The service's entry span's duration.</param>
/// <param name="IsError">True when any of the service's spans in the trace failed.</param>
/// <param name="Operation">The service's entry span's name (its root operation in this trace).</param>
/// <param name="Dimensions">Distinct dimension values, sorted (<see cref="IncidentDimensions.Compare"/>).</param>
public sealed record IncidentTrace(string TraceId, long StartUnixNano, long DurationNano, bool IsError, string Operation, IReadOnlyList<IncidentDimension> Dimensions);
