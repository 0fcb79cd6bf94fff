using System.Data.Common;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace OpsAssistant.Infrastructure.Baselines;

/// <summary>
/// Writes the sketches gathered at ingest to the database every <see cref="BaselineOptions.FlushInterval"/>, and once more
/// on shutdown, then recomputes the summaries of the operations it touched from the database's merged bins (every
/// replica's) and any other summary that went stale (another replica's flush that was not followed by its refresh, a bucket
/// that completed, which moves the window every summary holds; a window length not computed yet; the first pass runs at start); prunes buckets past the retention
/// once per bucket. A failed write puts the increments back for the next flush: a busy database delays baselines, it does
/// not lose them. A failed refresh is retried by the next pass; lookups meanwhile compute stale operations from the bins.
/// </summary>
public sealed partial class BaselineFlushService(
    BaselineRecorder recorder, RelationalBaselineStore store, IOptions<BaselineOptions> options, TimeProvider time, ILogger<BaselineFlushService> logger) : BackgroundService
{
    private DateTimeOffset _lastPrune = DateTimeOffset.MinValue;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.IsStore)
        {
            return;
        }

        using var timer = new PeriodicTimer(options.Value.FlushInterval, time);
        try
        {
            await RefreshAsync([], stoppingToken).ConfigureAwait(false);
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                await FlushOnceAsync(stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: the final flush runs in StopAsync.
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        if (options.Value.IsStore)
        {
            await FlushOnceAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// One flush, the refresh of the summaries it and others made stale, and a prune when a bucket has passed since the
    /// last; never throws for a database failure.
    /// </summary>
    public async Task FlushOnceAsync(CancellationToken cancellationToken)
    {
        var increments = recorder.Drain();
        IReadOnlyList<OperationVersion> touched;
        try
        {
            touched = await store.FlushAsync(increments, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is DbException or OperationCanceledException)
        {
            recorder.Restore(increments);
            if (ex is DbException)
            {
                LogFlushFailed(logger, ex, increments.Count);
            }

            return;
        }

        await RefreshAsync(touched, cancellationToken).ConfigureAwait(false);
    }

    // The bins are committed by now: a failure here must not put the increments back (they would count twice).
    private async Task RefreshAsync(IReadOnlyList<OperationVersion> touched, CancellationToken cancellationToken)
    {
        try
        {
            await store.RefreshSummariesAsync(touched, cancellationToken).ConfigureAwait(false);
            await store.RefreshSummariesAsync(cancellationToken).ConfigureAwait(false);
            var now = time.GetUtcNow();
            if (now - _lastPrune >= options.Value.BucketSize)
            {
                _lastPrune = now;
                await store.PruneAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (DbException ex)
        {
            LogRefreshFailed(logger, ex);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutting down: whichever replica passes next recomputes what is left stale.
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Baselines: refreshing the operation summaries failed; the next flush retries, lookups compute stale operations from the bins meanwhile")]
    private static partial void LogRefreshFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Baselines: writing {Count} operation sketches failed; kept for the next flush")]
    private static partial void LogFlushFailed(ILogger logger, Exception exception, int count);
}
