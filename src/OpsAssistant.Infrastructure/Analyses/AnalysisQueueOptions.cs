namespace OpsAssistant.Infrastructure.Analyses;

/// <summary>
/// How the queue worker runs. The service fills it from its <c>OpsAssistant:Webhooks</c> keys (validated there) and its
/// notification settings; defaults are those keys' defaults.
/// </summary>
public sealed class AnalysisQueueOptions
{
    /// <summary>False: this process queues but never analyses (<c>Webhooks:RunWorker</c>).</summary>
    public bool RunWorker { get; set; } = true;

    /// <summary>Queued analyses run at most this many at a time (<c>Webhooks:WorkerConcurrency</c>).</summary>
    public int WorkerConcurrency { get; set; } = 2;

    /// <summary>Attempts per analysis before it is marked failed (<c>Webhooks:MaxAttempts</c>).</summary>
    public int MaxAttempts { get; set; } = 4;

    /// <summary>Delay before the second attempt; each later attempt waits twice as long (<c>Webhooks:RetryDelay</c>).</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How often the worker looks for jobs it was not told about (<c>Webhooks:PollInterval</c>).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a claim lasts before another worker may take the job over (<c>Webhooks:Lease</c>).</summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Alert analyses queue a notification when they finish (a notification URL is configured).</summary>
    public bool NotifyAlerts { get; set; }
}
