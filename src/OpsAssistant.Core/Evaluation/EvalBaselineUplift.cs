namespace OpsAssistant.Core.Evaluation;

/// <summary>
/// What baselines bought: the cases with a cause and a <c>baseline.json</c>, scored as run (with their baselines) and again
/// with baselines off (docs/eval.md, <c>baselineUplift</c>).
/// </summary>
public sealed record EvalBaselineUplift
{
    public int Cases { get; init; }

    public double Top1 { get; init; }

    public double Top3 { get; init; }

    public double Mrr { get; init; }

    public double Top1WithoutBaselines { get; init; }

    public double Top3WithoutBaselines { get; init; }

    public double MrrWithoutBaselines { get; init; }

    /// <summary><see cref="Top1"/> − <see cref="Top1WithoutBaselines"/>.</summary>
    public double Top1Uplift { get; init; }
}
