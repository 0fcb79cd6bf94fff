namespace OpsAssistant.Core.Evaluation.Metamorphic;

/// <summary>Per transformation, the fraction of checked cases left unchanged, and every changed case.</summary>
public sealed record MetamorphicOutcome(IReadOnlyDictionary<string, double> Invariance, IReadOnlyList<InvarianceFailure> Failures, int Cases);
