namespace OpsAssistant.EvalGenerator;

/// <summary>A built scenario, ready to write as a case directory.</summary>
internal sealed record GeneratedCase(Scenario Scenario, GenTrace Trace, RootCauseLabel Label);
