namespace OpsAssistant.Core.Evaluation.Incidents;

/// <summary>
/// The <c>incidents</c> section of the eval report: top-1 and top-3 on the changed dimension over the cases that have one
/// (errored cases count as misses), and false alarms on the cases where nothing changed.
/// </summary>
public sealed record IncidentEvalReport
{
    public int Cases { get; init; }

    public double Top1 { get; init; }

    public double Top3 { get; init; }

    /// <summary>Cases where nothing changed (<c>"changed": null</c>).</summary>
    public int Healthy { get; init; }

    public int FalseAlarms { get; init; }

    public int Errored { get; init; }

    public double MeanElapsedMs { get; init; }

    public IReadOnlyList<IncidentEvalCaseResult> Results { get; init; } = [];

    public string SummaryLine() => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"incidents: {Cases} cases, top1 {Top1:0.000}, top3 {Top3:0.000}, healthy {Healthy}, false alarms {FalseAlarms}, errored {Errored}");
}
