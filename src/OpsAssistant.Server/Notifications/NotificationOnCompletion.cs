using OpsAssistant.Core.Analyses;

namespace OpsAssistant.Server.Notifications;

/// <summary>Wakes the dispatcher when a completed analysis queued a notification, so it is sent now rather than at the next poll.</summary>
internal sealed class NotificationOnCompletion(NotificationSignal signal) : IAnalysisCompletedHandler
{
    public Task OnAnalysisCompletedAsync(AnalysisCompleted completed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(completed);
        if (completed.NotificationQueued)
        {
            signal.Notify();
        }

        return Task.CompletedTask;
    }
}
