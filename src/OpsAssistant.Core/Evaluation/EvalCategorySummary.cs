namespace OpsAssistant.Core.Evaluation;

/// <summary>
/// The report's figures restricted to one category (<c>rootCause.kind</c>) or one generator family. Top-1, top-3 and MRR are
/// over the group's cases with a cause; its healthy cases count in <see cref="Healthy"/> and <see cref="FalseAlarms"/>.
/// </summary>
public sealed record EvalCategorySummary
{
    public required string Category { get; init; }

    public int Cases { get; init; }

    public double Top1 { get; init; }

    public double Top3 { get; init; }

    public double Mrr { get; init; }

    public int Abstained { get; init; }

    public int Errored { get; init; }

    public double MeanPromptTokens { get; init; }

    public double MeanElapsedMs { get; init; }

    public int Healthy { get; init; }

    public int FalseAlarms { get; init; }
}
