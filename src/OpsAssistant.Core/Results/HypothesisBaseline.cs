namespace OpsAssistant.Core.Results;

/// <summary>
/// How a hypothesis' span compares with its operation's baseline (docs/result.md, <c>baseline</c>). Present only when the
/// analysis had baselines and the operation has one, or its service has one and the operation is new.
/// </summary>
public sealed record HypothesisBaseline
{
    /// <summary>One of <see cref="BaselineVerdicts"/>.</summary>
    public required string Verdict { get; init; }

    /// <summary>The span's duration in this trace.</summary>
    public double DurationMs { get; init; }

    public double? P50Ms { get; init; }

    public double? P90Ms { get; init; }

    public double? P99Ms { get; init; }

    public double? ErrorRate { get; init; }

    /// <summary>Calls the baseline is drawn from; 0 for a new operation.</summary>
    public long Count { get; init; }

    public DateTimeOffset? From { get; init; }

    public DateTimeOffset? To { get; init; }

    /// <summary>Where the baseline came from: <c>store</c>, <c>prometheus</c>, <c>tempo</c> or <c>case</c>.</summary>
    public required string Source { get; init; }
}

/// <summary>The verdicts of <see cref="HypothesisBaseline.Verdict"/>.</summary>
public static class BaselineVerdicts
{
    /// <summary>Slower than its p99 by more than the margin: abnormal for this operation.</summary>
    public const string AboveP99 = "above-p99";

    /// <summary>Within its usual range (at most 1.2 × p99): slow perhaps, but normal for this operation.</summary>
    public const string Normal = "normal";

    /// <summary>Its service has baselines but this operation has none: never seen in the window.</summary>
    public const string New = "new";

    /// <summary>It failed, and this operation fails often (5 % of calls or more): a failure here is weak evidence.</summary>
    public const string ErrorsUsual = "errors-usual";

    /// <summary>It failed, and this operation rarely does.</summary>
    public const string ErrorsRare = "errors-rare";
}
