using System.Data;
using System.Data.Common;
using System.Globalization;
using OpsAssistant.Core.Sampling;
using static OpsAssistant.Infrastructure.Storage.Sql;

namespace OpsAssistant.Infrastructure.Storage;

/// <summary>
/// Writes alerts' sampling writes inside a caller's transaction, one after another, each seeing the ones before it: the
/// sampling override repository's own group commit and the alert intake (analyses and raises together) both use it. The
/// ceiling on fully sampled services is a condition of the INSERT itself; on PostgreSQL, where several transactions write at
/// once, the first override of a transaction takes an advisory lock, so ceiling checks (of any replica) run one at a time
/// as on SQLite's single writer. A service already fully sampled takes another full override without counting the others
/// (it adds no service to the count): an alert storm on one service raises one override per alert, and counting every
/// override in force for each would grow with the storm.
/// </summary>
internal sealed class AlertSamplingWriter(DbConnection connection, DbTransaction transaction, SqlDialect dialect) : IAsyncDisposable
{
    /// <summary>The first key of the ceiling's advisory lock (two keys: no collision with the one-key migration lock).</summary>
    private const int CeilingLockSpace = 0x4f705361;

    private const string StateSql = """
        SELECT
            EXISTS (SELECT 1 FROM sampling_overrides
                WHERE trigger_key = @trigger_key AND service = @service AND +ended_ms IS NULL AND +expires_ms > @at),
            EXISTS (SELECT 1 FROM sampling_overrides
                WHERE service = @service AND ended_ms IS NULL AND expires_ms > @at AND rate >= @full_rate)
        """;

    private const string InsertSql = """
        INSERT INTO sampling_overrides (id, service, rate, created_ms, expires_ms, created_by, reason, trigger_key)
        SELECT @id, @service, @rate, @created_ms, @expires_ms, @created_by, @reason, @trigger_key
        WHERE @rate < @full_rate
           OR EXISTS (SELECT 1 FROM sampling_overrides s
               WHERE s.service = @service AND s.ended_ms IS NULL AND s.expires_ms > @created_ms AND s.rate >= @full_rate)
           OR (SELECT COUNT(DISTINCT o.service) FROM sampling_overrides o
               WHERE o.ended_ms IS NULL AND o.expires_ms > @created_ms AND o.rate >= @full_rate AND o.service <> @service) < @max_full
        """;

    private const string PendingSql = """
        INSERT INTO sampling_pending (analysis_id, trigger_key, created_by, created_ms) VALUES (@analysis_id, @trigger_key, @created_by, @created_ms)
        ON CONFLICT (analysis_id) DO NOTHING
        """;

    private DbCommand? _state;
    private DbCommand? _insert;
    private DbCommand? _pending;
    private bool _locked;

    /// <param name="write">The write.</param>
    /// <param name="oncePerTrigger">
    /// Store no override while its trigger's override of the same service is in force (an alert's redelivery), and tell a
    /// service newly raised from one already at the rate; the check runs in this transaction, so two deliveries of one alert
    /// cannot both pass it.
    /// </param>
    /// <param name="cancellationToken">Cancels the statements.</param>
    public async Task<SamplingWriteOutcome> WriteAsync(AlertSamplingWrite write, bool oncePerTrigger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(write);
        if (write.Raise is { } entry)
        {
            await LockCeilingAsync(cancellationToken).ConfigureAwait(false);
            var joined = false;
            if (oncePerTrigger && entry.Trigger is not null)
            {
                var (inForce, serviceRaised) = await StateAsync(entry, write.FullRate, cancellationToken).ConfigureAwait(false);
                if (inForce)
                {
                    return SamplingWriteOutcome.InForce;
                }

                joined = serviceRaised && entry.Rate >= write.FullRate;
            }

            return await InsertAsync(entry, write, cancellationToken).ConfigureAwait(false)
                ? joined ? SamplingWriteOutcome.Joined : SamplingWriteOutcome.Created
                : SamplingWriteOutcome.CeilingReached;
        }

        var raise = write.Pending ?? throw new ArgumentException("A sampling write is a raise or a pending raise.", nameof(write));
        _pending ??= Command(connection, transaction, PendingSql);
        _pending.Parameters.Clear();
        Text(_pending, "@analysis_id", raise.AnalysisId);
        Text(_pending, "@trigger_key", raise.Trigger);
        Text(_pending, "@created_by", raise.CreatedBy);
        Integer(_pending, "@created_ms", raise.At.ToUnixTimeMilliseconds());
        return await _pending.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1
            ? SamplingWriteOutcome.PendingAdded
            : SamplingWriteOutcome.PendingExisted;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var command in new[] { _state, _insert, _pending })
        {
            if (command is not null)
            {
                await command.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private async Task LockCeilingAsync(CancellationToken cancellationToken)
    {
        if (_locked || dialect != SqlDialect.Postgres)
        {
            return;
        }

        await ExecuteAsync(connection, transaction, $"SELECT pg_advisory_xact_lock({CeilingLockSpace}, 0)", cancellationToken).ConfigureAwait(false);
        _locked = true;
    }

    private async Task<(bool InForce, bool ServiceRaised)> StateAsync(SamplingOverride entry, double fullRate, CancellationToken cancellationToken)
    {
        _state ??= Command(connection, transaction, StateSql);
        _state.Parameters.Clear();
        Text(_state, "@trigger_key", entry.Trigger);
        Text(_state, "@service", entry.Service);
        Integer(_state, "@at", entry.CreatedAt.ToUnixTimeMilliseconds());
        Parameter(_state, "@full_rate", DbType.Double, fullRate);
        await using var reader = await _state.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        return (Convert.ToBoolean(reader.GetValue(0), CultureInfo.InvariantCulture), Convert.ToBoolean(reader.GetValue(1), CultureInfo.InvariantCulture));
    }

    private async Task<bool> InsertAsync(SamplingOverride entry, AlertSamplingWrite write, CancellationToken cancellationToken)
    {
        _insert ??= Command(connection, transaction, InsertSql);
        _insert.Parameters.Clear();
        Text(_insert, "@id", entry.Id);
        Text(_insert, "@service", entry.Service);
        Parameter(_insert, "@rate", DbType.Double, entry.Rate);
        Integer(_insert, "@created_ms", entry.CreatedAt.ToUnixTimeMilliseconds());
        Integer(_insert, "@expires_ms", entry.ExpiresAt.ToUnixTimeMilliseconds());
        Text(_insert, "@created_by", entry.CreatedBy);
        Text(_insert, "@reason", entry.Reason);
        Text(_insert, "@trigger_key", entry.Trigger);
        Parameter(_insert, "@full_rate", DbType.Double, write.FullRate);
        Integer(_insert, "@max_full", (long)write.MaxFullServices);
        return await _insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }
}
