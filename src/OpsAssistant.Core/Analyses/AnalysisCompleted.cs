namespace OpsAssistant.Core.Analyses;

/// <summary>A queued analysis reached its final state (done or failed) and was recorded by the worker that held its lease.</summary>
/// <param name="Analysis">The analysis as recorded.</param>
/// <param name="NotificationQueued">True when recording it also queued a notification (the outbox row is pending).</param>
public sealed record AnalysisCompleted(AnalysisRecord Analysis, bool NotificationQueued);

/// <summary>
/// Told of every <see cref="AnalysisCompleted"/>, after it is recorded, in-process, in registration order. The queue worker
/// publishes; what follows an analysis (sampling raises, notifications) subscribes, so the worker calls none of them by name.
/// A handler's failure is its own: it logs and returns, since the analysis is already recorded.
/// </summary>
public interface IAnalysisCompletedHandler
{
    Task OnAnalysisCompletedAsync(AnalysisCompleted completed, CancellationToken cancellationToken);
}
