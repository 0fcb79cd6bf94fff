namespace OpsAssistant.Core.Analyses;

/// <summary>A finished analysis whose notification is due, and which delivery attempt this is (1 for the first).</summary>
public sealed record NotificationJob(AnalysisRecord Analysis, int Attempt);
