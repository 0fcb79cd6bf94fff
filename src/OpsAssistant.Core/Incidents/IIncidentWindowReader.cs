namespace OpsAssistant.Core.Incidents;

/// <summary>Reads the traces of one service that started within a window, already reduced to <see cref="IncidentTrace"/>.</summary>
public interface IIncidentWindowReader
{
    /// <param name="service">The service, exactly as its spans name it.</param>
    /// <param name="window">The window, by trace start time (start inclusive, end exclusive).</param>
    /// <param name="maxTraces">The most traces to read; more in the window are sampled uniformly by trace ID.</param>
    Task<IncidentWindow> ReadAsync(string service, IncidentTimeRange window, int maxTraces, CancellationToken cancellationToken = default);
}
