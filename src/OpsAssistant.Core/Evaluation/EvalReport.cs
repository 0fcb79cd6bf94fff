namespace OpsAssistant.Core.Evaluation;

/// <summary>
/// The eval report (docs/eval.md). Contract properties first and in contract order, then <see cref="Healthy"/>,
/// <see cref="FalseAlarms"/>, <see cref="Ece"/> and <see cref="Invariance"/>; the rest are extensions.
/// </summary>
/// <remarks>
/// Top-1, top-3 and MRR are over the cases with a cause (<see cref="Cases"/> − <see cref="Healthy"/>); healthy cases are
/// scored by <see cref="FalseAlarms"/> instead. Errored cases count in the accuracy denominators as misses: a case the
/// pipeline could not even score is not a case it got right, and dropping it would flatter the figures. They are left
/// out of the token and elapsed-time means, which describe analyses that actually ran.
/// </remarks>
public sealed record EvalReport
{
    public int Cases { get; init; }

    public double Top1 { get; init; }

    public double Top3 { get; init; }

    public double Mrr { get; init; }

    public int Abstained { get; init; }

    public double MeanPromptTokens { get; init; }

    public double MeanInputTokens { get; init; }

    public double MeanOutputTokens { get; init; }

    public double MeanElapsedMs { get; init; }

    public IReadOnlyList<EvalCaseResult> Results { get; init; } = [];

    /// <summary>Cases labelled healthy (<c>"rootCause": null</c>).</summary>
    public int Healthy { get; init; }

    /// <summary>Healthy cases whose first hypothesis named a cause with confidence ≥ 0.5.</summary>
    public int FalseAlarms { get; init; }

    /// <summary>Expected calibration error of the rank-1 confidence (10 bins; see <see cref="EvalCalibration"/>).</summary>
    public double Ece { get; init; }

    /// <summary>
    /// Per metamorphic transformation, the fraction of cases whose rank-1 verdict it left unchanged; null when the run did
    /// not check (<c>--metamorphic</c>).
    /// </summary>
    public IReadOnlyDictionary<string, double>? Invariance { get; init; }

    public int Errored { get; init; }

    public IReadOnlyList<EvalCategorySummary> Categories { get; init; } = [];

    /// <summary>The same figures per generator family (<c>family</c> in expected.json, else the category).</summary>
    public IReadOnlyList<EvalCategorySummary> Families { get; init; } = [];

    /// <summary>Every case a transformation changed, with the verdict before and after; null when invariance was not checked.</summary>
    public IReadOnlyList<InvarianceFailure>? InvarianceFailures { get; init; }

    /// <summary>The cases with a <c>baseline.json</c> scored with and without it; null when no case has one.</summary>
    public EvalBaselineUplift? BaselineUplift { get; init; }

    /// <summary>The incident cases' section (<c>--incidents</c>); null when the run had none.</summary>
    public Incidents.IncidentEvalReport? Incidents { get; init; }

    /// <summary>The one-line summary the CLI and the CI gate print.</summary>
    public string SummaryLine()
    {
        var line = string.Create(
            System.Globalization.CultureInfo.InvariantCulture,
            $"eval: {Cases} cases, top1 {Top1:0.000}, top3 {Top3:0.000}, mrr {Mrr:0.000}, abstained {Abstained}, errored {Errored}");
        if (Healthy > 0)
        {
            line += string.Create(System.Globalization.CultureInfo.InvariantCulture, $", healthy {Healthy}, false alarms {FalseAlarms}");
        }

        line += string.Create(System.Globalization.CultureInfo.InvariantCulture, $", ece {Ece:0.000}");
        if (Invariance is { Count: > 0 } invariance)
        {
            line += string.Create(System.Globalization.CultureInfo.InvariantCulture, $", invariance min {invariance.Values.Min():0.000}");
        }

        return line;
    }
}
