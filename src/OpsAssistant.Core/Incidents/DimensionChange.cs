namespace OpsAssistant.Core.Incidents;

/// <summary>
/// A dimension value over-represented among the slow or failed traces of the alert window. Supports are fractions (0–1);
/// <see cref="Lift"/> is the alert-window support over the (smoothed) support in the window before.
/// </summary>
public sealed record DimensionChange
{
    /// <summary>The dimension's key: <c>operation</c>, <c>service.version</c>, <c>host.name</c>, <c>exception.type</c>…</summary>
    public required string Dimension { get; init; }

    public required string Value { get; init; }

    /// <summary>Other dimension values carried by exactly the same traces in both windows (e.g. the route and its operation).</summary>
    public IReadOnlyList<string> AlsoMatches { get; init; } = [];

    /// <summary>Slow or failed alert-window traces carrying the value.</summary>
    public int AnomalousCount { get; init; }

    /// <summary>The fraction of slow or failed alert-window traces carrying the value.</summary>
    public double AnomalousSupport { get; init; }

    /// <summary>The fraction of the alert window's normal traces carrying the value.</summary>
    public double NormalSupport { get; init; }

    /// <summary>Traces of the window before carrying the value.</summary>
    public int PreviousCount { get; init; }

    /// <summary>The fraction of the window before's traces carrying the value.</summary>
    public double PreviousSupport { get; init; }

    /// <summary>In the alert window: the share of traces with the value that were slow or failed.</summary>
    public double AnomalyRateWith { get; init; }

    /// <summary>In the alert window: the share of traces without the value that were slow or failed (null when none lack it).</summary>
    public double? AnomalyRateWithout { get; init; }

    /// <summary><see cref="AnomalousSupport"/> over the smoothed <see cref="PreviousSupport"/>.</summary>
    public double Lift { get; init; }

    /// <summary>The ranking score: support times the logarithm of lift.</summary>
    public double Score { get; init; }
}
