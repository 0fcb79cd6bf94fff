namespace OpsAssistant.Infrastructure.Analyses;

/// <summary>Raised when a webhook queues analyses, or a retry falls due.</summary>
public sealed class AnalysisQueueSignal : WorkSignal;
