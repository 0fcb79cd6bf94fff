namespace OpsAssistant.Core.Evaluation;

/// <summary>Reported after each case: how far the run is and how the case just finished went.</summary>
public sealed record EvalProgress(int Completed, int Total, EvalCaseResult Last);
