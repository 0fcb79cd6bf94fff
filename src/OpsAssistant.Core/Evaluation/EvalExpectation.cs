namespace OpsAssistant.Core.Evaluation;

/// <summary>
/// The contents of a case's <c>expected.json</c>. <see cref="Category"/> is an extension to the contract: it names the
/// scenario family when <c>rootCause.kind</c> is absent, so per-category figures still have a bucket to go in.
/// </summary>
public sealed record EvalExpectation(string? TraceId, ExpectedRootCause RootCause, string? Category = null)
{
    /// <summary>Bucket used for cases whose category cannot be known (no kind, no category, unreadable expected.json).</summary>
    public const string Unlabelled = "unlabelled";

    /// <summary>The category the case is aggregated under: <c>rootCause.kind</c>, else <c>category</c>, else <see cref="Unlabelled"/>.</summary>
    public string EffectiveCategory =>
        !string.IsNullOrWhiteSpace(RootCause.Kind) ? RootCause.Kind.Trim().ToLowerInvariant()
        : !string.IsNullOrWhiteSpace(Category) ? Category.Trim().ToLowerInvariant()
        : Unlabelled;
}
