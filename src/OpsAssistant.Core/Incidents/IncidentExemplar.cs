namespace OpsAssistant.Core.Incidents;

/// <summary>
/// A trace chosen to be analysed and shown: an <c>exemplar</c> (slow or failed, carrying the top changed dimension) or the
/// <c>contrast</c> (a normal trace of the same operation without it).
/// </summary>
public record IncidentExemplar
{
    public const string ExemplarRole = "exemplar";

    public const string ContrastRole = "contrast";

    public required string TraceId { get; init; }

    /// <summary><c>exemplar</c> or <c>contrast</c>.</summary>
    public required string Role { get; init; }

    /// <summary><c>alert</c> or <c>previous</c>: the window the trace is from.</summary>
    public required string Window { get; init; }

    public required string Operation { get; init; }

    public double DurationMs { get; init; }

    public bool Failed { get; init; }

    public bool Slow { get; init; }
}
