using OpsAssistant.Core.Model;
using OpsAssistant.Core.Results;

namespace OpsAssistant.Core.Evaluation.Metamorphic;

/// <summary>A case read and analysed as written: the baseline every transformation is compared with.</summary>
public sealed record MetamorphicCase(string Name, EvalExpectation Expected, Trace Trace, AnalysisResult Original);
