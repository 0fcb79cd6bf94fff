namespace OpsAssistant.Core.Evaluation;

/// <summary>
/// The eval report (docs/eval.md, "Report"). Contract properties first and in contract order; <see cref="Errored"/> and
/// <see cref="Categories"/> are extensions.
/// </summary>
/// <remarks>
/// Errored cases count in every accuracy denominator (<see cref="Cases"/>, top-1, top-3, MRR) as misses: a case the
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

    public int Errored { get; init; }

    public IReadOnlyList<EvalCategorySummary> Categories { get; init; } = [];

    /// <summary>The one-line summary the CLI and the CI gate print.</summary>
    public string SummaryLine() => string.Create(
        System.Globalization.CultureInfo.InvariantCulture,
        $"eval: {Cases} cases, top1 {Top1:0.000}, top3 {Top3:0.000}, mrr {Mrr:0.000}, abstained {Abstained}, errored {Errored}");
}
