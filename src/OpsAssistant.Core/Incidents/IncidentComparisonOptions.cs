namespace OpsAssistant.Core.Incidents;

/// <summary>The knobs of <see cref="IncidentComparer"/>; the defaults are what the service and the eval use.</summary>
public sealed record IncidentComparisonOptions
{
    public static IncidentComparisonOptions Default { get; } = new();

    /// <summary>A trace is slow above this quantile of its operation's durations in the window before…</summary>
    public double SlowQuantile { get; init; } = 0.95;

    /// <summary>…and above this multiple of that operation's median, so a tight distribution's p95 does not flag noise.</summary>
    public double SlowMedianFactor { get; init; } = 1.5;

    /// <summary>
    /// An operation with fewer traces in the window before is judged against both windows' traces of it instead (a new
    /// operation has no history of its own).
    /// </summary>
    public int MinBaselineTraces { get; init; } = 20;

    /// <summary>A change must be carried by at least this many slow or failed traces…</summary>
    public int MinAnomalousCount { get; init; } = 3;

    /// <summary>…and by at least this fraction of them.</summary>
    public double MinSupport { get; init; } = 0.1;

    /// <summary>Support among slow or failed traces must exceed the window before's by this factor.</summary>
    public double MinLift { get; init; } = 1.5;

    /// <summary>
    /// Within the alert window, traces with the value must be slow or failed this many times as often as traces without it
    /// (checked when at least <see cref="MinContrastTraces"/> traces lack it): a new but healthy version is not a cause.
    /// </summary>
    public double MinRiskRatio { get; init; } = 1.5;

    public int MinContrastTraces { get; init; } = 5;

    /// <summary>The most changes reported.</summary>
    public int MaxChanges { get; init; } = 10;

    /// <summary>Slow or failed traces analysed as exemplars.</summary>
    public int MaxExemplars { get; init; } = 3;
}
