using System.Data;
using System.Data.Common;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using OpsAssistant.Core.Sampling;
using static OpsAssistant.Infrastructure.Storage.Sql;

namespace OpsAssistant.Infrastructure.Storage;

/// <summary>
/// Sampling overrides in the <see cref="RelationalDatabase"/>. The ceiling on fully sampled services is checked inside the INSERT itself (a conditional
/// <c>INSERT … SELECT … WHERE</c>), so two callers racing past a check in application code cannot both get the last place.
/// New overrides and pending raises go through one <see cref="GroupCommit{TRequest,TResult}"/> with a single writer: writes
/// share transactions instead of each queueing for the database's writer (SQLite's one write lock) with its own, and the
/// ceiling checks of a group run one after another (<see cref="AlertSamplingWriter"/>), so a group cannot pass the ceiling
/// either. Each caller is answered once its row is committed. The webhooks write their alerts' raises with the analyses
/// they queue instead (<see cref="AnalysisRepository.AcceptAsync"/>), through the same writer.
/// </summary>
public sealed class SamplingOverrideRepository : ISamplingOverrideStore
{
    private const string OverrideColumns = "id, service, rate, created_ms, expires_ms, created_by, reason, trigger_key, ended_ms, ended_by";

    /// <summary>Writes one shared transaction holds at most.</summary>
    private const int MaxGroupWrites = 200;

    private readonly RelationalDatabase _database;
    private readonly GroupCommit<AlertSamplingWrite, bool> _writes;

    public SamplingOverrideRepository(RelationalDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
        _writes = new GroupCommit<AlertSamplingWrite, bool>(database, WriteGroupAsync, _ => 1, MaxGroupWrites, maxWriters: 1);
    }

    public Task<bool> TryAddOverrideAsync(SamplingOverride entry, double fullRate, int maxFullServices, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return _writes.WriteAsync(AlertSamplingWrite.ForRaise(entry, fullRate, maxFullServices), cancellationToken);
    }

    public Task AddPendingRaiseAsync(string analysisId, string trigger, string createdBy, DateTimeOffset at, CancellationToken cancellationToken = default) =>
        _writes.WriteAsync(AlertSamplingWrite.ForPending(new PendingSamplingRaise(analysisId, trigger, createdBy, at)), cancellationToken);

    /// <summary>
    /// Writes a group in order: each override under the ceiling as the ones before it left it, each pending raise unless
    /// its analysis has one (see <see cref="AlertSamplingWriter"/>).
    /// </summary>
    private async Task<bool[]> WriteGroupAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<AlertSamplingWrite> group, CancellationToken cancellationToken)
    {
        await using var writer = new AlertSamplingWriter(connection, transaction, _database.Dialect);
        var written = new bool[group.Count];
        for (var i = 0; i < group.Count; i++)
        {
            var outcome = await writer.WriteAsync(group[i], oncePerTrigger: false, cancellationToken).ConfigureAwait(false);
            written[i] = outcome is SamplingWriteOutcome.Created or SamplingWriteOutcome.Joined or SamplingWriteOutcome.PendingAdded;
        }

        return written;
    }

    public async Task<bool> IsTriggerInForceAsync(string trigger, string service, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        // The unary plus keeps the planner on the trigger's index: without statistics SQLite prefers the index of overrides in
        // force (two terms), and during an alert storm that is every override, read once per delivery.
        await using var command = Command(connection, null, """
            SELECT 1 FROM sampling_overrides
            WHERE trigger_key = @trigger_key AND service = @service AND +ended_ms IS NULL AND +expires_ms > @at
            LIMIT 1
            """);
        Text(command, "@trigger_key", trigger);
        Text(command, "@service", service);
        Integer(command, "@at", at.ToUnixTimeMilliseconds());
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not null;
    }

    public async Task<SamplingOverride?> GetOverrideAsync(string id, CancellationToken cancellationToken = default)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, null, $"SELECT {OverrideColumns} FROM sampling_overrides WHERE id = @id");
        Text(command, "@id", id);
        var rows = await ReadOverridesAsync(command, cancellationToken).ConfigureAwait(false);
        return rows.Count == 0 ? null : rows[0];
    }

    public async Task<bool> EndOverrideAsync(string id, string endedBy, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, null,
            "UPDATE sampling_overrides SET ended_ms = @at, ended_by = @ended_by WHERE id = @id AND ended_ms IS NULL AND expires_ms > @at");
        Text(command, "@id", id);
        Text(command, "@ended_by", endedBy);
        Integer(command, "@at", at.ToUnixTimeMilliseconds());
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    [SuppressMessage("Security", "CA2100:Review SQL queries for security vulnerabilities", Justification = "The SQL is assembled from constant fragments only; every filter value is bound as a parameter.")]
    public async Task<IReadOnlyList<SamplingOverride>> EndOverridesAsync(string? trigger, string? service, string endedBy, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        if (trigger is null && service is null)
        {
            throw new ArgumentException("Name a trigger or a service: ending every override at once is not an operation.", nameof(trigger));
        }

        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);

        // Only the criteria given become SQL (PostgreSQL cannot type "@p IS NULL" on a null parameter).
        var sql = new StringBuilder("UPDATE sampling_overrides SET ended_ms = @at, ended_by = @ended_by WHERE ended_ms IS NULL AND expires_ms > @at");
        await using var command = Command(connection, null, "");
        if (trigger is not null)
        {
            sql.Append(" AND trigger_key = @trigger_key");
            Text(command, "@trigger_key", trigger);
        }

        if (service is not null)
        {
            sql.Append(" AND service = @service");
            Text(command, "@service", service);
        }

        sql.Append(" RETURNING ").Append(OverrideColumns);
        command.CommandText = sql.ToString();
        Text(command, "@ended_by", endedBy);
        Integer(command, "@at", at.ToUnixTimeMilliseconds());
        return await ReadOverridesAsync(command, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<SamplingOverride>> ListOverridesAsync(DateTimeOffset? activeAt, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, null, "");
        var where = "";
        if (activeAt is { } now)
        {
            where = " WHERE ended_ms IS NULL AND expires_ms > @now";
            Integer(command, "@now", now.ToUnixTimeMilliseconds());
        }

        command.CommandText = $"SELECT {OverrideColumns} FROM sampling_overrides{where} ORDER BY created_ms DESC, id LIMIT @limit";
        Parameter(command, "@limit", DbType.Int32, limit);
        return await ReadOverridesAsync(command, cancellationToken).ConfigureAwait(false);
    }

    public async Task<(string Trigger, string CreatedBy)?> TakePendingRaiseAsync(string analysisId, CancellationToken cancellationToken = default)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, null, "DELETE FROM sampling_pending WHERE analysis_id = @analysis_id RETURNING trigger_key, created_by");
        Text(command, "@analysis_id", analysisId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? (reader.GetString(0), reader.GetString(1)) : null;
    }

    public async Task<int> RemovePendingRaisesAsync(string trigger, CancellationToken cancellationToken = default)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, null, "DELETE FROM sampling_pending WHERE trigger_key = @trigger_key");
        Text(command, "@trigger_key", trigger);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<IReadOnlyList<SamplingOverride>> ReadOverridesAsync(DbCommand command, CancellationToken cancellationToken)
    {
        var rows = new List<SamplingOverride>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(new SamplingOverride
            {
                Id = reader.GetString(0),
                Service = reader.GetString(1),
                Rate = reader.GetDouble(2),
                CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)),
                ExpiresAt = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)),
                CreatedBy = reader.GetString(5),
                Reason = await reader.IsDBNullAsync(6, cancellationToken).ConfigureAwait(false) ? null : reader.GetString(6),
                Trigger = await reader.IsDBNullAsync(7, cancellationToken).ConfigureAwait(false) ? null : reader.GetString(7),
                EndedAt = await reader.IsDBNullAsync(8, cancellationToken).ConfigureAwait(false) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(8)),
                EndedBy = await reader.IsDBNullAsync(9, cancellationToken).ConfigureAwait(false) ? null : reader.GetString(9),
            });
        }

        return rows;
    }
}
