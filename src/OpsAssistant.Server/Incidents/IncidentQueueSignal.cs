namespace OpsAssistant.Server.Incidents;

/// <summary>Raised when a webhook queues an alert incident.</summary>
internal sealed class IncidentQueueSignal : OpsAssistant.Infrastructure.Analyses.WorkSignal;
