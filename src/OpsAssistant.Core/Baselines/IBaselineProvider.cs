namespace OpsAssistant.Core.Baselines;

/// <summary>
/// Where baselines come from (the embedded store, Prometheus, Tempo). The analysis asks once per trace, for every operation
/// in it, so a provider can answer with one query.
/// </summary>
public interface IBaselineProvider
{
    /// <summary>The baselines of the operations it knows among <paramref name="operations"/>; never null.</summary>
    ValueTask<BaselineSet> GetBaselinesAsync(IReadOnlyCollection<OperationKey> operations, CancellationToken cancellationToken = default);
}

/// <summary>The provider of <c>Source: None</c>: no baselines, so the analysis is exactly what it is without history.</summary>
public sealed class NoBaselineProvider : IBaselineProvider
{
    public static NoBaselineProvider Instance { get; } = new();

    public ValueTask<BaselineSet> GetBaselinesAsync(IReadOnlyCollection<OperationKey> operations, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(BaselineSet.Empty);
}
