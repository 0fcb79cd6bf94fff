using System.ComponentModel.DataAnnotations;

namespace OpsAssistant.Server.Webhooks;

/// <summary>Alert webhook limits and the analysis worker: <c>OpsAssistant:Webhooks</c>.</summary>
internal sealed class WebhookOptions
{
    public const string SectionName = "OpsAssistant:Webhooks";

    /// <summary>Largest webhook body accepted; larger is 413. Alertmanager groups rarely pass a few hundred KB.</summary>
    [Range(1024, 64L * 1024 * 1024, ErrorMessage = "OpsAssistant:Webhooks:MaxRequestBytes must be between 1024 and 67108864.")]
    public long MaxRequestBytes { get; set; } = 1024 * 1024;

    /// <summary>Queued analyses run at most this many at a time, so an alert storm cannot starve the API of CPU.</summary>
    [Range(1, 64, ErrorMessage = "OpsAssistant:Webhooks:WorkerConcurrency must be between 1 and 64.")]
    public int WorkerConcurrency { get; set; } = 2;

    /// <summary>Attempts per analysis before it is marked failed (trace backends flap; traces arrive after their alert).</summary>
    [Range(1, 20, ErrorMessage = "OpsAssistant:Webhooks:MaxAttempts must be between 1 and 20.")]
    public int MaxAttempts { get; set; } = 4;

    /// <summary>Delay before the second attempt; each later attempt waits twice as long.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00", ErrorMessage = "OpsAssistant:Webhooks:RetryDelay must be between 0 and 10 minutes.")]
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// For alerts without a trace ID: the stored traces of the alert's service searched, this long either side of the alert's
    /// start, for the worst errored one.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00", ErrorMessage = "OpsAssistant:Webhooks:TraceSearchWindow must be between 1 second and 1 day.")]
    public TimeSpan TraceSearchWindow { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How often the worker looks for queued analyses it was not told about (another replica's, or left by a restart).</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00", ErrorMessage = "OpsAssistant:Webhooks:PollInterval must be between 10 ms and 1 hour.")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// False makes this replica accept and queue alerts without analysing them, leaving the jobs to replicas that run the
    /// worker (a web tier in front of a worker tier on one PostgreSQL queue).
    /// </summary>
    public bool RunWorker { get; set; } = true;

    /// <summary>
    /// How long a worker's claim on a job lasts before another replica may take it over; renewed at a third of it while the
    /// job runs, so it bounds how long a crashed process delays its jobs, not how long a job may take.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00", ErrorMessage = "OpsAssistant:Webhooks:Lease must be between 1 second and 1 hour.")]
    public TimeSpan Lease { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Queued plus running analyses past which deliveries get 503 with Retry-After (senders retry 5xx).</summary>
    [Range(1, 10_000_000, ErrorMessage = "OpsAssistant:Webhooks:MaxQueuedAnalyses must be between 1 and 10000000.")]
    public int MaxQueuedAnalyses { get; set; } = 10_000;

    /// <summary>The Retry-After sent with a full queue.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00", ErrorMessage = "OpsAssistant:Webhooks:QueueFullRetryAfter must be between 1 second and 1 hour.")]
    public TimeSpan QueueFullRetryAfter { get; set; } = TimeSpan.FromSeconds(30);
}
