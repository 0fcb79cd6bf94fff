using System.Data.Common;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace OpsAssistant.Infrastructure.Baselines;

/// <summary>
/// Writes the sketches gathered at ingest to the database every <see cref="BaselineOptions.FlushInterval"/>, and once more
/// on shutdown; prunes buckets past the retention once per bucket. A failed write puts the increments back for the next
/// flush: a busy database delays baselines, it does not lose them.
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

    /// <summary>One flush (and a prune when a bucket has passed since the last); never throws for a database failure.</summary>
    public async Task FlushOnceAsync(CancellationToken cancellationToken)
    {
        var increments = recorder.Drain();
        try
        {
            await store.FlushAsync(increments, cancellationToken).ConfigureAwait(false);
            var now = time.GetUtcNow();
            if (now - _lastPrune >= options.Value.BucketSize)
            {
                _lastPrune = now;
                await store.PruneAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is DbException or OperationCanceledException)
        {
            recorder.Restore(increments);
            if (ex is DbException)
            {
                LogFlushFailed(logger, ex, increments.Count);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Baselines: writing {Count} operation sketches failed; kept for the next flush")]
    private static partial void LogFlushFailed(ILogger logger, Exception exception, int count);
}
