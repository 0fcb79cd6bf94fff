namespace OpsAssistant.Core.Evaluation;

/// <summary>The report's figures restricted to one category (<c>rootCause.kind</c>).</summary>
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
}
