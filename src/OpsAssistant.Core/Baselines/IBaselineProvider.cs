namespace OpsAssistant.Core.Baselines;

/// <summary>
/// Where baselines come from (the embedded store, Prometheus, Tempo). The analysis asks once per trace, for every operation
/// in it, so a provider can answer with one query; it asks as of the trace's start, so a trace is judged against the history
/// before it, never against its own spans or the incident around it.
/// </summary>
public interface IBaselineProvider
{
    /// <summary>
    /// The baselines of the operations it knows among <paramref name="operations"/>, over a window that ends before
    /// <paramref name="asOf"/> (each provider says how far before; an instant in the future counts as now); never null.
    /// </summary>
    ValueTask<BaselineSet> GetBaselinesAsync(IReadOnlyCollection<OperationKey> operations, DateTimeOffset asOf, CancellationToken cancellationToken = default);
}

/// <summary>The provider of <c>Source: None</c>: no baselines, so the analysis is exactly what it is without history.</summary>
public sealed class NoBaselineProvider : IBaselineProvider
{
    public static NoBaselineProvider Instance { get; } = new();

    public ValueTask<BaselineSet> GetBaselinesAsync(IReadOnlyCollection<OperationKey> operations, DateTimeOffset asOf, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(BaselineSet.Empty);
}
