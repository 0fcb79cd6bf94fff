namespace OpsAssistant.EvalGenerator;

/// <summary>A built scenario, ready to write as a case directory. <see cref="Label"/> is null for a healthy trace.</summary>
internal sealed record GeneratedCase(Scenario Scenario, GenTrace Trace, RootCauseLabel? Label, string Summary);
