using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpsAssistant.Core.Analyses;
using OpsAssistant.Core.Model;
using OpsAssistant.Infrastructure.Telemetry;

namespace OpsAssistant.Infrastructure.Analyses;

/// <summary>
/// Runs queued analyses. Each job is claimed with a lease in the store (<see cref="IAnalysisQueue"/>) that this process
/// renews while it works, so replicas never run a job at the same time, a job whose process died is picked up once its
/// lease lapses, and only the lease holder can record the outcome. At most <see cref="AnalysisQueueOptions.WorkerConcurrency"/>
/// run at once. A failed attempt goes back to the queue with a doubling delay, so retries survive a restart too. The
/// analysis itself is <see cref="TraceAnalysisService"/>'s; a recorded outcome is announced to every
/// <see cref="IAnalysisCompletedHandler"/>.
/// </summary>
public sealed partial class AnalysisWorker(
    IAnalysisQueue queue,
    TraceAnalysisService analysis,
    AnalysisQueueSignal signal,
    IEnumerable<IAnalysisCompletedHandler> handlers,
    IOptions<AnalysisQueueOptions> options,
    TimeProvider clock,
    ILogger<AnalysisWorker> logger) : BackgroundService
{
    /// <summary>Unique per process lifetime: a restarted process must not mistake its previous life's leases for its own.</summary>
    public string Owner { get; } = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (!settings.RunWorker)
        {
            LogWorkerOff();
            return;
        }

        using var gate = new SemaphoreSlim(settings.WorkerConcurrency);
        var running = new List<Task>();
        try
        {
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
            // Stopping: jobs in flight observe the same token and give their leases back.
        }

        await Task.WhenAll(running);
    }

    /// <summary>Claims as many jobs as there are free slots and starts them, or waits for a signal or the poll interval.</summary>
    private async Task DispatchAsync(SemaphoreSlim gate, List<Task> running, CancellationToken stoppingToken)
    {
        var settings = options.Value;
        await gate.WaitAsync(stoppingToken);
        var slots = 1;
        while (gate.Wait(0, CancellationToken.None))
        {
            slots++;
        }

        IReadOnlyList<AnalysisRecord> jobs;
        try
        {
            jobs = await queue.ClaimAsync(Owner, slots, settings.Lease, stoppingToken);
        }
        catch
        {
            gate.Release(slots);
            throw;
        }

        if (jobs.Count < slots)
        {
            gate.Release(slots - jobs.Count);
        }

        running.RemoveAll(task => task.IsCompleted);
        foreach (var job in jobs)
        {
            running.Add(RunAndReleaseAsync(job, gate, stoppingToken));
        }

        if (jobs.Count == 0)
        {
            await signal.WaitAsync(settings.PollInterval, stoppingToken);
        }
    }

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA2025:Do not pass 'IDisposable' instances into unawaited tasks", Justification = "The renewal task is awaited in the finally block, before the using scope disposes the token sources it holds.")]
    private async Task RunAndReleaseAsync(AnalysisRecord job, SemaphoreSlim gate, CancellationToken stoppingToken)
    {
        using var leaseLost = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        using var stopRenewing = new CancellationTokenSource();
        var renewal = RenewWhileRunningAsync(job.Id, leaseLost, stopRenewing.Token);
        try
        {
            await Task.Yield();
            await RunAsync(job, leaseLost.Token);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: give the job back so another replica, or the next start, runs it without waiting out the lease.
            await TryStoreAsync(() => queue.ReleaseAsync(job.Id, Owner, CancellationToken.None));
        }
        catch (OperationCanceledException) when (leaseLost.IsCancellationRequested)
        {
            LogLeaseLost(job.Id);
        }
        catch (System.Data.Common.DbException ex)
        {
            // The store went away mid-job (a database restart): the outcome could not be written, so the lease lapses and the
            // job is claimed again; failing it would lose an accepted alert to a blip.
            LogStoreUnavailable(ex);
        }
#pragma warning disable CA1031 // One job's unexpected failure must not stop the worker; it is recorded on the job.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogFailed(ex, job.Id);
            await TryStoreAsync(() => queue.CompleteAsync(
                job with { Status = AnalysisStatus.Failed, Error = "The analysis failed unexpectedly.", CompletedAt = clock.GetUtcNow() },
                Owner, Notify(job), CancellationToken.None));
        }
        finally
        {
            await stopRenewing.CancelAsync();
            await renewal;
            gate.Release();
        }
    }

    /// <summary>Renews the lease at a third of its length; cancels the job when the lease turns out to be someone else's.</summary>
    private async Task RenewWhileRunningAsync(string id, CancellationTokenSource leaseLost, CancellationToken stop)
    {
        var lease = options.Value.Lease;
        try
        {
            while (true)
            {
                await Task.Delay(lease / 3, stop);
                bool held;
                try
                {
                    held = await queue.RenewAsync(id, Owner, lease, stop);
                }
                catch (System.Data.Common.DbException ex)
                {
                    // Keep working: the lease is still ours until it lapses, and the next renewal may get through.
                    LogStoreUnavailable(ex);
                    continue;
                }

                if (!held)
                {
                    await leaseLost.CancelAsync();
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The job finished.
        }
    }

    private async Task RunAsync(AnalysisRecord job, CancellationToken cancellationToken)
    {
        // Continues the trace of the webhook request that queued the job (docs/architecture.md, "Telemetry": analyses are spans parented on the caller).
        ActivityContext.TryParse(job.TraceParent, null, out var parent);
        using var activity = OpsAssistantTelemetry.ActivitySource.StartActivity("analysis queued", ActivityKind.Consumer, parent);
        activity?.SetTag("opsassistant.analysis_id", job.Id);
        activity?.SetTag("opsassistant.trace_id", job.TraceId);
        activity?.SetTag("opsassistant.attempt", job.Attempts);

        var settings = options.Value;
        // Rows are written with validated IDs; one that is not is a failed job, not a worker crash.
        var outcome = TraceId.TryParse(job.TraceId, out var traceId)
            ? await analysis.AnalyzeAsync(new TraceAnalysisRequest(traceId, AnalysisOrigins.Parse(job.Origin) ?? AnalysisOrigin.Alertmanager) { Source = job.Source, AnalysisId = job.Id }, cancellationToken).ConfigureAwait(false)
            : null;
        if (outcome is { IsFound: true, Result: { } result })
        {
            await FinishAsync(job with { Status = AnalysisStatus.Done, Source = outcome.Source, CompletedAt = clock.GetUtcNow(), Result = result, Error = null }, cancellationToken).ConfigureAwait(false);
            return;
        }

        var source = outcome?.Source ?? job.Source;
        var error = outcome switch
        {
            // Retried: an alert often fires before its trace has been flushed to the backend.
            { Kind: TraceOutcomeKind.NotFound } => $"Trace {job.TraceId} was not found in the {outcome.Source} source.",
            { Kind: TraceOutcomeKind.SourceFailed } => $"The {outcome.Source} source failed: {outcome.Failure}",
            _ => $"'{job.TraceId}' is not a trace ID.",
        };

        activity?.SetStatus(ActivityStatusCode.Error, error);
        if (job.Attempts >= settings.MaxAttempts)
        {
            await FinishAsync(job with { Status = AnalysisStatus.Failed, Source = source, CompletedAt = clock.GetUtcNow(), Error = error }, cancellationToken).ConfigureAwait(false);
            return;
        }

        var delay = settings.RetryDelay * Math.Pow(2, Math.Max(0, job.Attempts - 1));
        LogRetry(job.Id, job.Attempts, error, delay);
        if (await queue.RetryLaterAsync(job.Id, Owner, clock.GetUtcNow() + delay, error, cancellationToken).ConfigureAwait(false))
        {
            _ = WakeAfterAsync(delay, cancellationToken);
        }
    }

    /// <summary>Records the outcome and announces it; nothing when the lease had passed to another worker, whose outcome counts instead.</summary>
    private async Task FinishAsync(AnalysisRecord outcome, CancellationToken cancellationToken)
    {
        var notify = Notify(outcome);
        if (!await queue.CompleteAsync(outcome, Owner, notify, cancellationToken).ConfigureAwait(false))
        {
            LogLeaseLost(outcome.Id);
            return;
        }

        OpsAssistantTelemetry.QueuedAnalyses.Add(1, new KeyValuePair<string, object?>("opsassistant.outcome", outcome.Status.ToString().ToLowerInvariant()));
        var completed = new AnalysisCompleted(outcome, notify);
        foreach (var handler in handlers)
        {
            await handler.OnAnalysisCompletedAsync(completed, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Alert-driven analyses are announced when a notification URL is configured; API callers already have theirs.</summary>
    private bool Notify(AnalysisRecord job) => options.Value.NotifyAlerts && AnalysisOrigins.IsAlert(job.Origin);

    private async Task WakeAfterAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, cancellationToken);
            signal.Notify();
        }
        catch (OperationCanceledException)
        {
            // Stopping; the poll finds the retry after a restart.
        }
    }

    private async Task TryStoreAsync(Func<Task<bool>> write)
    {
        try
        {
            await write();
        }
        catch (System.Data.Common.DbException ex)
        {
            // The lease lapses on its own and the job is claimed again: nothing is lost, only delayed.
            LogStoreUnavailable(ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "The analysis worker is off (OpsAssistant:Webhooks:RunWorker=false): alerts are queued for other replicas")]
    private partial void LogWorkerOff();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Analysis {AnalysisId} attempt {Attempt} failed: {Reason}; retrying in {Delay}")]
    private partial void LogRetry(string analysisId, int attempt, string reason, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The analysis queue is unreachable; retrying")]
    private partial void LogStoreUnavailable(Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Analysis {AnalysisId}: the lease passed to another worker, which records the outcome")]
    private partial void LogLeaseLost(string analysisId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Analysis {AnalysisId} failed unexpectedly")]
    private partial void LogFailed(Exception exception, string analysisId);
}
