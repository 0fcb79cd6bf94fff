using OpsAssistant.Core.Model;
using OpsAssistant.Core.Results;

namespace OpsAssistant.Core.Evaluation.Metamorphic;

/// <summary>A case read and analysed as written: the baseline every transformation is compared with.</summary>
public sealed record MetamorphicCase(string Name, EvalExpectation Expected, Trace Trace, AnalysisResult Original)
{
    /// <summary>The case's <c>baseline.json</c>, or null: transformed traces are analysed with it too, under their new names.</summary>
    public Baselines.BaselineSet? Baselines { get; init; }
}
