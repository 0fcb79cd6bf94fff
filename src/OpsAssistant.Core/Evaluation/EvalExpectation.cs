namespace OpsAssistant.Core.Evaluation;

/// <summary>
/// The contents of a case's <c>expected.json</c>. A null <see cref="RootCause"/> (<c>"rootCause": null</c>) marks a healthy
/// trace: the right answer is that nothing stands out. <see cref="Category"/> is an extension to the contract: it names the
/// scenario family when <c>rootCause.kind</c> is absent, so per-category figures still have a bucket to go in;
/// <see cref="Family"/> (also an extension) names the randomized generator family a case belongs to.
/// </summary>
public sealed record EvalExpectation(string? TraceId, ExpectedRootCause? RootCause, string? Category = null, string? Family = null)
{
    /// <summary>Bucket used for cases whose category cannot be known (no kind, no category, unreadable expected.json).</summary>
    public const string Unlabelled = "unlabelled";

    /// <summary>Bucket of healthy cases that name no category of their own.</summary>
    public const string HealthyCategory = "healthy";

    public bool IsHealthy => RootCause is null;

    /// <summary>
    /// The category the case is aggregated under: <c>rootCause.kind</c>, else <c>category</c>, else <see cref="HealthyCategory"/>
    /// for a healthy case and <see cref="Unlabelled"/> otherwise.
    /// </summary>
    public string EffectiveCategory =>
        !string.IsNullOrWhiteSpace(RootCause?.Kind) ? RootCause.Kind.Trim().ToLowerInvariant()
        : !string.IsNullOrWhiteSpace(Category) ? Category.Trim().ToLowerInvariant()
        : RootCause is null ? HealthyCategory
        : Unlabelled;
}
