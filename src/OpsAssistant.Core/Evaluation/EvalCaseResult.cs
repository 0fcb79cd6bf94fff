namespace OpsAssistant.Core.Evaluation;

/// <summary>
/// One case's line in the eval report. The first nine properties are the contract's, in its order; the rest are extensions.
/// <see cref="Service"/>/<see cref="Operation"/> are what the top-ranked hypothesis named.
/// </summary>
public sealed record EvalCaseResult
{
    public required string Case { get; init; }

    public int? Rank { get; init; }

    public string? Service { get; init; }

    public string? Operation { get; init; }

    public int PromptTokens { get; init; }

    public long InputTokens { get; init; }

    public long OutputTokens { get; init; }

    public double ElapsedMs { get; init; }

    public string? Error { get; init; }

    public string Category { get; init; } = EvalExpectation.Unlabelled;

    public bool Errored => Error is not null;

    public bool Abstained { get; init; }

    public ExpectedRootCause? Expected { get; init; }

    /// <summary>Category and title of the top-ranked hypothesis, so a miss can be read without re-running the case.</summary>
    public string? PredictedCategory { get; init; }

    public string? TopTitle { get; init; }

    public string? TraceFormat { get; init; }

    public int SpanCount { get; init; }

    /// <summary>The label says nothing stands out (<c>"rootCause": null</c>); the case is scored by <see cref="FalseAlarm"/>, not by rank.</summary>
    public bool Healthy { get; init; }

    /// <summary>A healthy case whose first hypothesis names a cause (not <c>unknown</c>) with confidence ≥ 0.5.</summary>
    public bool FalseAlarm { get; init; }

    /// <summary>Confidence of the top-ranked hypothesis; null when the case did not run or the answer had no hypotheses.</summary>
    public double? Confidence { get; init; }

    /// <summary>The generator family the case belongs to (<c>family</c> in expected.json), when it names one.</summary>
    public string? Family { get; init; }

    /// <summary>The case carries a <c>baseline.json</c> and was analysed with it.</summary>
    public bool Baseline { get; init; }

    /// <summary>For a case with a cause and a baseline: its rank when analysed with baselines off; null otherwise.</summary>
    public int? RankWithoutBaselines { get; init; }
}
