namespace OpsAssistant.Core.Analysis.Findings;

/// <summary>The same call attempted again after failures: a retry storm when most attempts failed.</summary>
public sealed record RetryFinding(SpanRef First, int Attempts, int Failed, bool LastSucceeded, double WindowMs, double SharePercent, IReadOnlyList<string> SpanIds);
