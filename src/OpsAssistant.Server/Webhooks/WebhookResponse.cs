namespace OpsAssistant.Server.Webhooks;

/// <summary>The 202 body of <c>POST /webhooks/*</c> (docs/http-api.md).</summary>
internal sealed record WebhookResponse(IReadOnlyList<QueuedAnalysis> Analyses, IReadOnlyList<SkippedAlert> Skipped, IReadOnlyList<Incidents.QueuedIncident> Incidents);
