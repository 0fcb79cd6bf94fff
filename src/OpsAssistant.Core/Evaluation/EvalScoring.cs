namespace OpsAssistant.Core.Evaluation;

/// <summary>Turns per-case results into the report's overall and per-category figures.</summary>
public static class EvalScoring
{
    public static EvalReport Summarise(IReadOnlyList<EvalCaseResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var ran = results.Where(r => !r.Errored).ToList();
        var categories = results
            .GroupBy(r => r.Category, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => SummariseCategory(g.Key, g.ToList()))
            .ToList();

        return new EvalReport
        {
            Cases = results.Count,
            Top1 = Round(Fraction(results, r => r.Rank == 1)),
            Top3 = Round(Fraction(results, r => r.Rank is <= 3)),
            Mrr = Round(Mrr(results)),
            Abstained = ran.Count(r => r.Abstained),
            MeanPromptTokens = Round(Mean(ran, r => r.PromptTokens), 1),
            MeanInputTokens = Round(Mean(ran, r => r.InputTokens), 1),
            MeanOutputTokens = Round(Mean(ran, r => r.OutputTokens), 1),
            MeanElapsedMs = Round(Mean(ran, r => r.ElapsedMs), 2),
            Results = results,
            Errored = results.Count - ran.Count,
            Categories = categories,
        };
    }

    private static EvalCategorySummary SummariseCategory(string category, List<EvalCaseResult> results)
    {
        var ran = results.Where(r => !r.Errored).ToList();
        return new EvalCategorySummary
        {
            Category = category,
            Cases = results.Count,
            Top1 = Round(Fraction(results, r => r.Rank == 1)),
            Top3 = Round(Fraction(results, r => r.Rank is <= 3)),
            Mrr = Round(Mrr(results)),
            Abstained = ran.Count(r => r.Abstained),
            Errored = results.Count - ran.Count,
            MeanPromptTokens = Round(Mean(ran, r => r.PromptTokens), 1),
            MeanElapsedMs = Round(Mean(ran, r => r.ElapsedMs), 2),
        };
    }

    // Errored cases stay in the denominator with no rank, i.e. they score as misses.
    private static double Fraction(IReadOnlyCollection<EvalCaseResult> results, Func<EvalCaseResult, bool> hit) =>
        results.Count == 0 ? 0 : (double)results.Count(hit) / results.Count;

    private static double Mrr(IReadOnlyCollection<EvalCaseResult> results) =>
        results.Count == 0 ? 0 : results.Sum(r => r.Rank is { } rank and > 0 ? 1.0 / rank : 0) / results.Count;

    private static double Mean(List<EvalCaseResult> results, Func<EvalCaseResult, double> value) =>
        results.Count == 0 ? 0 : results.Average(value);

    private static double Round(double value, int digits = 4) => Math.Round(value, digits, MidpointRounding.AwayFromZero);
}
