namespace OpsAssistant.Server.Webhooks;

/// <summary>Raised when a webhook queues analyses, or a retry falls due.</summary>
internal sealed class AnalysisQueueSignal : WorkSignal;
