namespace OpsAssistant.Server.Webhooks;

/// <summary>An analysis a webhook queued (or found already queued or done for a redelivered alert).</summary>
internal sealed record QueuedAnalysis(string Id, string TraceId, string Status);
