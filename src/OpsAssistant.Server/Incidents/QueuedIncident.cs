namespace OpsAssistant.Server.Incidents;

/// <summary>An incident a webhook queued (or found already made for a redelivered alert), with the link to read it.</summary>
internal sealed record QueuedIncident(string Id, string Service, string Status, string Link);
