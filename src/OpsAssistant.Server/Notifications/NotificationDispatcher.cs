using Microsoft.Extensions.Options;
using OpsAssistant.Core.Analyses;
using OpsAssistant.Infrastructure.Telemetry;

namespace OpsAssistant.Server.Notifications;

/// <summary>
/// Delivers the notification outbox: finished alert analyses are marked pending in the same write that records them, and
/// this loop claims, posts and marks them sent, retrying with a doubling delay up to <see cref="NotificationOptions.MaxAttempts"/>.
/// A crash mid-delivery leaves the claim to lapse and the notification is sent again (at-least-once, with an idempotency key).
/// </summary>
internal sealed partial class NotificationDispatcher(
    IAnalysisQueue queue,
    AnalysisNotifier notifier,
    NotificationSignal signal,
    IOptions<NotificationOptions> options,
    TimeProvider clock,
    ILogger<NotificationDispatcher> logger) : BackgroundService
{

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (settings.Url is null)
        {
            return;
        }

        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                IReadOnlyList<NotificationJob> due;
                try
                {
                    due = await queue.ClaimNotificationsAsync(settings.Concurrency * 4, settings.Timeout * 2, stoppingToken);
                }
                catch (System.Data.Common.DbException ex)
                {
                    LogStoreUnavailable(ex);
                    await Task.Delay(settings.PollInterval, stoppingToken);
                    continue;
                }

                try
                {
                    // An alert storm finishes hundreds of analyses at once; one slow receiver round trip each must not serialise them.
                    await Parallel.ForEachAsync(due, new ParallelOptions { MaxDegreeOfParallelism = settings.Concurrency, CancellationToken = stoppingToken },
                        async (job, cancellationToken) => await DeliverAsync(job, settings, cancellationToken));
                }
                catch (System.Data.Common.DbException ex)
                {
                    // A delivery whose state could not be written is claimed again when its claim lapses (at-least-once).
                    LogStoreUnavailable(ex);
                    await Task.Delay(settings.PollInterval, stoppingToken);
                    continue;
                }

                if (due.Count < settings.Concurrency * 4)
                {
                    await signal.WaitAsync(settings.PollInterval, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // A claimed notification lapses back to due and is sent by the next process.
        }
    }

    private async Task DeliverAsync(NotificationJob job, NotificationOptions settings, CancellationToken stoppingToken)
    {
        var problem = await notifier.SendAsync(job.Analysis, stoppingToken);
        if (problem is null)
        {
            await queue.SetNotificationAsync(job.Analysis.Id, NotificationState.Sent, cancellationToken: CancellationToken.None);
            Count("sent");
            return;
        }

        if (job.Attempt >= settings.MaxAttempts)
        {
            LogGaveUp(job.Analysis.Id, job.Attempt, problem);
            await queue.SetNotificationAsync(job.Analysis.Id, NotificationState.Failed, cancellationToken: CancellationToken.None);
            Count("failed");
            return;
        }

        var delay = settings.RetryDelay * Math.Pow(2, job.Attempt - 1);
        LogRetry(job.Analysis.Id, job.Attempt, problem, delay);
        await queue.SetNotificationAsync(job.Analysis.Id, NotificationState.Pending, clock.GetUtcNow() + delay, CancellationToken.None);
        Count("retry");
    }

    private static void Count(string outcome) => OpsAssistantTelemetry.Notifications.Add(1, new KeyValuePair<string, object?>("opsassistant.outcome", outcome));

    [LoggerMessage(Level = LogLevel.Warning, Message = "Notification for analysis {AnalysisId} attempt {Attempt} failed: {Reason}; retrying in {Delay}")]
    private partial void LogRetry(string analysisId, int attempt, string reason, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Error, Message = "Notification for analysis {AnalysisId} given up after {Attempt} attempts: {Reason}")]
    private partial void LogGaveUp(string analysisId, int attempt, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The notification outbox is unreachable; retrying")]
    private partial void LogStoreUnavailable(Exception exception);
}
