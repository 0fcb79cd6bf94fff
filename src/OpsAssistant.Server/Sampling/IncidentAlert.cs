namespace OpsAssistant.Server.Sampling;

/// <summary>What incident sampling needs of a received alert, whichever webhook brought it.</summary>
/// <param name="Fingerprint">The sender's fingerprint: the trigger a raise is ended by.</param>
/// <param name="Name">The alert's name, for the override's reason.</param>
/// <param name="IsFiring">False once the alert is resolved.</param>
/// <param name="Labels">The alert's labels, searched for the service it is about.</param>
/// <param name="AnalysisId">The analysis queued for the alert's trace, which names the service when the labels do not; null without a trace.</param>
internal sealed record IncidentAlert(string Fingerprint, string Name, bool IsFiring, IReadOnlyDictionary<string, string> Labels, string? AnalysisId);
