namespace OpsAssistant.Core.Incidents;

/// <summary>A window of time: <see cref="From"/> inclusive, <see cref="To"/> exclusive.</summary>
public sealed record IncidentTimeRange(DateTimeOffset From, DateTimeOffset To)
{
    public TimeSpan Duration => To - From;

    /// <summary>The window of the same length that ends where this one starts.</summary>
    public IncidentTimeRange Before() => new(From - Duration, From);
}
