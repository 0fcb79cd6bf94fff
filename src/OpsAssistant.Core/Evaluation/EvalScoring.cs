namespace OpsAssistant.Core.Evaluation;

/// <summary>
/// Turns per-case results into the report's overall, per-category and per-family figures. Healthy cases are scored by false
/// alarms and left out of top-1/top-3/MRR and of the abstention count (abstaining is their right answer).
/// </summary>
public static class EvalScoring
{
    public static EvalReport Summarise(IReadOnlyList<EvalCaseResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var ran = results.Where(r => !r.Errored).ToList();
        var withCause = results.Where(r => !r.Healthy).ToList();
        var categories = Group(results, r => r.Category);
        var families = Group(results, r => r.Family ?? r.Category);

        return new EvalReport
        {
            Cases = results.Count,
            Top1 = Round(Fraction(withCause, r => r.Rank == 1)),
            Top3 = Round(Fraction(withCause, r => r.Rank is <= 3)),
            Mrr = Round(Mrr(withCause)),
            Abstained = ran.Count(r => r.Abstained && !r.Healthy),
            MeanPromptTokens = Round(Mean(ran, r => r.PromptTokens), 1),
            MeanInputTokens = Round(Mean(ran, r => r.InputTokens), 1),
            MeanOutputTokens = Round(Mean(ran, r => r.OutputTokens), 1),
            MeanElapsedMs = Round(Mean(ran, r => r.ElapsedMs), 2),
            Results = results,
            Healthy = results.Count(r => r.Healthy),
            FalseAlarms = results.Count(r => r.FalseAlarm),
            Ece = Round(EvalCalibration.Of(results)),
            Errored = results.Count - ran.Count,
            Categories = categories,
            Families = families,
            BaselineUplift = Uplift(results),
        };
    }

    private static EvalBaselineUplift? Uplift(IReadOnlyList<EvalCaseResult> results)
    {
        var with = results.Where(r => r.Baseline && !r.Healthy).ToList();
        if (with.Count == 0)
        {
            return null;
        }

        var without = with.Select(r => r with { Rank = r.RankWithoutBaselines }).ToList();
        var top1 = Round(Fraction(with, r => r.Rank == 1));
        var top1Off = Round(Fraction(without, r => r.Rank == 1));
        return new EvalBaselineUplift
        {
            Cases = with.Count,
            Top1 = top1,
            Top3 = Round(Fraction(with, r => r.Rank is <= 3)),
            Mrr = Round(Mrr(with)),
            Top1WithoutBaselines = top1Off,
            Top3WithoutBaselines = Round(Fraction(without, r => r.Rank is <= 3)),
            MrrWithoutBaselines = Round(Mrr(without)),
            Top1Uplift = Round(top1 - top1Off),
        };
    }

    private static List<EvalCategorySummary> Group(IReadOnlyList<EvalCaseResult> results, Func<EvalCaseResult, string> key) =>
        results
            .GroupBy(key, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => SummariseCategory(g.Key, g.ToList()))
            .ToList();

    private static EvalCategorySummary SummariseCategory(string category, List<EvalCaseResult> results)
    {
        var ran = results.Where(r => !r.Errored).ToList();
        var withCause = results.Where(r => !r.Healthy).ToList();
        return new EvalCategorySummary
        {
            Category = category,
            Cases = results.Count,
            Top1 = Round(Fraction(withCause, r => r.Rank == 1)),
            Top3 = Round(Fraction(withCause, r => r.Rank is <= 3)),
            Mrr = Round(Mrr(withCause)),
            Abstained = ran.Count(r => r.Abstained && !r.Healthy),
            Errored = results.Count - ran.Count,
            MeanPromptTokens = Round(Mean(ran, r => r.PromptTokens), 1),
            MeanElapsedMs = Round(Mean(ran, r => r.ElapsedMs), 2),
            Healthy = results.Count(r => r.Healthy),
            FalseAlarms = results.Count(r => r.FalseAlarm),
        };
    }

    // Errored cases stay in the denominator with no rank, i.e. they score as misses.
    private static double Fraction(List<EvalCaseResult> results, Func<EvalCaseResult, bool> hit) =>
        results.Count == 0 ? 0 : (double)results.Count(hit) / results.Count;

    private static double Mrr(List<EvalCaseResult> results) =>
        results.Count == 0 ? 0 : results.Sum(r => r.Rank is { } rank and > 0 ? 1.0 / rank : 0) / results.Count;

    private static double Mean(List<EvalCaseResult> results, Func<EvalCaseResult, double> value) =>
        results.Count == 0 ? 0 : results.Average(value);

    private static double Round(double value, int digits = 4) => Math.Round(value, digits, MidpointRounding.AwayFromZero);
}
