using Microsoft.Extensions.Options;
using OpsAssistant.Core.Incidents;
using OpsAssistant.Infrastructure.Incidents;

namespace OpsAssistant.Server.Incidents;

/// <summary>
/// Runs the incidents alert webhooks queue, one at a time (each reads two windows of traces and analyses a few exemplars).
/// A claim is a lease in the store, so replicas never run one incident together and one left by a stopped process is taken
/// over once its lease lapses; a failed attempt is queued again until <see cref="IncidentOptions.MaxAttempts"/>.
/// </summary>
internal sealed partial class IncidentWorker(
    IIncidentStore store,
    IncidentService incidents,
    IncidentQueueSignal signal,
    IOptions<IncidentOptions> options,
    IOptions<OpsAssistant.Infrastructure.Analyses.AnalysisQueueOptions> queueOptions,
    TimeProvider time,
    ILogger<IncidentWorker> logger) : BackgroundService
{
    /// <summary>Unique per process lifetime, like the analysis worker's.</summary>
    public string Owner { get; } = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // The same switch as the analysis worker: a web tier that only accepts alerts leaves both queues to the worker tier.
        if (!queueOptions.Value.RunWorker)
        {
            return;
        }

        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                IncidentResult? claimed;
                try
                {
                    var now = time.GetUtcNow();
                    claimed = await store.ClaimAsync(Owner, now, now + options.Value.Lease, stoppingToken);
                }
                catch (System.Data.Common.DbException ex)
                {
                    LogStoreUnavailable(logger, ex);
                    claimed = null;
                }

                if (claimed is null)
                {
                    await signal.WaitAsync(options.Value.PollInterval, stoppingToken);
                    continue;
                }

                await RunAsync(claimed, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: an incident in flight keeps its lease until it lapses, then another worker runs it again.
        }
    }

    private async Task RunAsync(IncidentResult claimed, CancellationToken stoppingToken)
    {
        IncidentResult outcome;
        try
        {
            outcome = await incidents.RunAsync(claimed, stoppingToken);
        }
        catch (Exception ex) when (ex is System.Data.Common.DbException or InvalidDataException or TimeoutException or HttpRequestException)
        {
            LogFailed(logger, ex, claimed.IncidentId, claimed.Attempts);
            outcome = claimed with
            {
                Status = claimed.Attempts >= options.Value.MaxAttempts ? IncidentStatus.Failed : IncidentStatus.Queued,
                Error = ex.Message,
                CompletedAt = claimed.Attempts >= options.Value.MaxAttempts ? time.GetUtcNow() : null,
            };
        }

        try
        {
            if (!await store.CompleteAsync(outcome, Owner, stoppingToken))
            {
                LogLeaseLost(logger, claimed.IncidentId);
            }
        }
        catch (System.Data.Common.DbException ex)
        {
            // The lease lapses and the incident runs again.
            LogStoreUnavailable(logger, ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Incident {IncidentId} failed on attempt {Attempt}")]
    private static partial void LogFailed(ILogger logger, Exception exception, string incidentId, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Incident {IncidentId} finished after its lease passed to another worker; its outcome was dropped")]
    private static partial void LogLeaseLost(ILogger logger, string incidentId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The incident worker cannot reach the store; retrying")]
    private static partial void LogStoreUnavailable(ILogger logger, Exception exception);
}
