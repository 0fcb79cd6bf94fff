namespace OpsAssistant.Server.Incidents;

/// <summary>Raised when a webhook queues an alert incident.</summary>
internal sealed class IncidentQueueSignal : Webhooks.WorkSignal;
