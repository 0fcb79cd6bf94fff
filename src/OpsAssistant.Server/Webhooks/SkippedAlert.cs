namespace OpsAssistant.Server.Webhooks;

/// <summary>An alert a webhook did not turn into an analysis, and why.</summary>
internal sealed record SkippedAlert(string Alert, string Reason);
