using Microsoft.Extensions.Options;
using OpsAssistant.Core.Analyses;
using OpsAssistant.Core.Engine;
using OpsAssistant.Core.Sources;
using OpsAssistant.Infrastructure.Sources;
using OpsAssistant.Infrastructure.Telemetry;

namespace OpsAssistant.Server.Webhooks;

/// <summary>
/// Runs queued analyses: claims each atomically in the store (so replicas never run one twice), loads its trace from the
/// configured source, analyses it and stores done or failed. At most <see cref="WebhookOptions.WorkerConcurrency"/> run at
/// once. A job interrupted by a stop stays running in the store and is queued again when the service next starts.
/// </summary>
public sealed partial class AnalysisWorker(
    IAnalysisStore store,
    TraceSourceResolver sources,
    IRootCauseEngine engine,
    AnalysisQueueSignal signal,
    Sampling.IncidentSamplingCoordinator incidents,
    IOptions<WebhookOptions> options,
    ILogger<AnalysisWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        using var gate = new SemaphoreSlim(settings.WorkerConcurrency);
        var running = new List<Task>();
        try
        {
            // Single-process recovery: anything still running was interrupted by the previous process's exit.
            var requeued = await store.RequeueRunningAsync(stoppingToken);
            if (requeued > 0)
            {
                LogRequeued(requeued);
            }

            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    await DispatchAsync(gate, running, stoppingToken);
                }
                catch (System.Data.Common.DbException ex)
                {
                    // A database blip must not stop the host (a BackgroundService fault does): the jobs wait in the store.
                    LogStoreUnavailable(ex);
                    await Task.Delay(settings.PollInterval, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: jobs in flight observe the same token.
        }

        await Task.WhenAll(running);
    }

    /// <summary>Claims and starts what is queued, or waits for a signal or the poll interval when nothing is.</summary>
    private async Task DispatchAsync(SemaphoreSlim gate, List<Task> running, CancellationToken stoppingToken)
    {
        var settings = options.Value;
        var ids = await store.ListQueuedAsync(settings.WorkerConcurrency * 4, stoppingToken);
        if (ids.Count == 0)
        {
            await signal.WaitAsync(settings.PollInterval, stoppingToken);
            return;
        }

        foreach (var id in ids)
        {
            await gate.WaitAsync(stoppingToken);
            bool claimed;
            try
            {
                claimed = await store.TryClaimAsync(id, stoppingToken);
            }
            catch
            {
                gate.Release();
                throw;
            }

            if (!claimed)
            {
                gate.Release();
                continue;
            }

            running.RemoveAll(task => task.IsCompleted);
            running.Add(RunAndReleaseAsync(id, gate, stoppingToken));
        }
    }

    private async Task RunAndReleaseAsync(string id, SemaphoreSlim gate, CancellationToken stoppingToken)
    {
        try
        {
            await Task.Yield();
            await RunAsync(id, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Left running in the store; the next start queues it again.
        }
#pragma warning disable CA1031 // One job's unexpected failure must not stop the worker; it is recorded on the job.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogFailed(ex, id);
            if (await store.GetAsync(id, CancellationToken.None) is { } record)
            {
                await store.SaveAsync(record with { Status = AnalysisStatus.Failed, Error = "The analysis failed unexpectedly.", CompletedAt = DateTimeOffset.UtcNow }, CancellationToken.None);
            }
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task RunAsync(string id, CancellationToken cancellationToken)
    {
        var record = await store.GetAsync(id, cancellationToken);
        if (record is null)
        {
            return;
        }

        using var activity = OpsAssistantTelemetry.ActivitySource.StartActivity("analysis queued");
        activity?.SetTag("opsassistant.analysis_id", id);
        activity?.SetTag("opsassistant.trace_id", record.TraceId);
        var settings = options.Value;
        var source = record.Source is null ? sources.Default : sources.Get(record.Source);
        string? error = null;
        for (var attempt = 1; attempt <= settings.MaxAttempts; attempt++)
        {
            if (attempt > 1)
            {
                await Task.Delay(settings.RetryDelay * Math.Pow(2, attempt - 2), cancellationToken);
            }

            Core.Model.Trace? trace;
            try
            {
                trace = await source.GetTraceAsync(record.TraceId, cancellationToken);
            }
            catch (TraceSourceException ex)
            {
                error = $"The {source.Name} source failed: {ex.Message}";
                LogRetry(id, attempt, error);
                continue;
            }

            if (trace is null)
            {
                // Retried: an alert often fires before its trace has been flushed to the backend.
                error = $"Trace {record.TraceId} was not found in the {source.Name} source.";
                LogRetry(id, attempt, error);
                continue;
            }

            var result = await engine.AnalyzeAsync(trace, cancellationToken);
            await store.SaveAsync(record with
            {
                Status = AnalysisStatus.Done,
                Source = source.Name,
                CompletedAt = DateTimeOffset.UtcNow,
                Result = result with { AnalysisId = id },
                Error = null,
            }, cancellationToken);
            await incidents.OnAnalysisCompletedAsync(id, result, cancellationToken);
            return;
        }

        await store.SaveAsync(record with { Status = AnalysisStatus.Failed, Source = source.Name, CompletedAt = DateTimeOffset.UtcNow, Error = error }, cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Queued {Count} analyses left running by a previous process")]
    private partial void LogRequeued(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Analysis {AnalysisId} attempt {Attempt} failed: {Reason}")]
    private partial void LogRetry(string analysisId, int attempt, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The analysis queue is unreachable; retrying after the poll interval")]
    private partial void LogStoreUnavailable(Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Analysis {AnalysisId} failed unexpectedly")]
    private partial void LogFailed(Exception exception, string analysisId);
}
