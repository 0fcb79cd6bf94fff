namespace OpsAssistant.Core.Analysis.Findings;

/// <summary>The same call attempted again after failures: a retry storm when most attempts failed; <see cref="Cause"/> names what made them fail when the callee shows it.</summary>
public sealed record RetryFinding(SpanRef First, int Attempts, int Failed, bool LastSucceeded, double WindowMs, double SharePercent, IReadOnlyList<string> SpanIds)
{
    /// <summary>Why the attempts failed, when the callee's spans show it (a lock, a pool, a slow query); null when they show nothing.</summary>
    public RetryCause? Cause { get; init; }

    /// <summary>The span that made the attempts; its own time between them is the back-off.</summary>
    public SpanRef? Parent { get; init; }
}
