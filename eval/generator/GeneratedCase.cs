namespace OpsAssistant.EvalGenerator;

/// <summary>A built scenario, ready to write as a case directory. <see cref="Label"/> is null for a healthy trace.</summary>
/// <see cref="Baseline"/> is the case's <c>baseline.json</c>, or null for a case without history.
internal sealed record GeneratedCase(Scenario Scenario, GenTrace Trace, RootCauseLabel? Label, string Summary, byte[]? Baseline = null);
