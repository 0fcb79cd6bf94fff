using System.Data;
using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using OpsAssistant.Core.Analyses;
using OpsAssistant.Core.Results;

namespace OpsAssistant.Infrastructure.Storage;

/// <summary>
/// The webhook job queue is the analyses table itself. A claim is one <c>UPDATE … WHERE id IN (SELECT … LIMIT n)
/// RETURNING</c>: SQLite runs it under its single writer lock, and PostgreSQL adds <c>FOR UPDATE SKIP LOCKED</c> so replicas
/// claiming together take disjoint rows without waiting on each other. Every later write is conditional on the lease owner,
/// which is what makes completion exactly-once.
/// </summary>
public abstract partial class RelationalTraceStore : IAnalysisQueue
{
    /// <summary>Appended to the row-picking subquery of a claim; PostgreSQL's lets concurrent claimers skip each other's rows.</summary>
    protected virtual string SkipLockedClause => string.Empty;

    public async Task<bool> TryAddAsync(AnalysisRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        await using var connection = await OpenQueueAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, null, $"""
            {InsertAnalysisSql}
            ON CONFLICT (id) DO NOTHING
            """);
        BindAnalysis(command, record);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    public async Task<int> CountPendingAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenQueueAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, null, "SELECT COUNT(*) FROM analyses WHERE status IN ('queued', 'running')");
        return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
    }

    public async Task<IReadOnlyDictionary<AnalysisStatus, int>> CountByStatusAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenQueueAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, null, "SELECT status, COUNT(*) FROM analyses GROUP BY status");
        var counts = new Dictionary<AnalysisStatus, int>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            counts[Enum.Parse<AnalysisStatus>(reader.GetString(0), ignoreCase: true)] = Convert.ToInt32(reader.GetValue(1), CultureInfo.InvariantCulture);
        }

        return counts;
    }

    public async Task<IReadOnlyList<AnalysisRecord>> ClaimAsync(string owner, int limit, TimeSpan lease, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(owner);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        var now = NowMs();

        // A running row without a lease was left by a version that had none: it is as abandoned as a lapsed one.
        await using var connection = await OpenQueueAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, null, $"""
            UPDATE analyses SET status = 'running', lease_owner = @owner, lease_until_ms = @until, attempts = attempts + 1
            WHERE id IN (
                SELECT id FROM analyses
                WHERE (status = 'queued' AND (not_before_ms IS NULL OR not_before_ms <= @now))
                   OR (status = 'running' AND (lease_until_ms IS NULL OR lease_until_ms < @now))
                ORDER BY created_at, id
                LIMIT @limit{SkipLockedClause})
            RETURNING {AnalysisColumns}
            """);
        Text(command, "@owner", owner);
        Int64(command, "@until", now + (long)lease.TotalMilliseconds);
        Int64(command, "@now", now);
        Int64(command, "@limit", limit);
        var claimed = new List<AnalysisRecord>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            claimed.Add(ReadAnalysis(reader));
        }

        // RETURNING gives no order; oldest first is the queue's promise.
        claimed.Sort((a, b) => a.CreatedAt != b.CreatedAt ? a.CreatedAt.CompareTo(b.CreatedAt) : string.CompareOrdinal(a.Id, b.Id));
        return claimed;
    }

    public Task<bool> RenewAsync(string id, string owner, TimeSpan lease, CancellationToken cancellationToken = default) =>
        OwnedUpdateAsync(id, owner, "lease_until_ms = @until", command => Int64(command, "@until", NowMs() + (long)lease.TotalMilliseconds), cancellationToken);

    public Task<bool> CompleteAsync(AnalysisRecord outcome, string owner, bool notify, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        if (outcome.Status is not (AnalysisStatus.Done or AnalysisStatus.Failed))
        {
            throw new ArgumentException("An outcome is done or failed.", nameof(outcome));
        }

        return OwnedUpdateAsync(outcome.Id, owner, """
            status = @status, completed_at = @completed_at, result = @result, error = @error, source = @source,
            lease_owner = NULL, lease_until_ms = NULL, not_before_ms = NULL, notify_status = @notify, notify_due_ms = NULL
            """, command =>
        {
            Text(command, "@status", outcome.Status.ToString().ToLowerInvariant());
            Text(command, "@completed_at", (outcome.CompletedAt ?? DateTimeOffset.UtcNow).ToString("O", CultureInfo.InvariantCulture));
            Text(command, "@result", outcome.Result is null ? null : JsonSerializer.Serialize(outcome.Result, ResultJson.Result));
            Text(command, "@error", outcome.Error);
            Text(command, "@source", outcome.Source);
            Text(command, "@notify", notify ? "pending" : null);
        }, cancellationToken);
    }

    public Task<bool> RetryLaterAsync(string id, string owner, DateTimeOffset notBefore, string reason, CancellationToken cancellationToken = default) =>
        OwnedUpdateAsync(id, owner, "status = 'queued', lease_owner = NULL, lease_until_ms = NULL, not_before_ms = @not_before, error = @error", command =>
        {
            Int64(command, "@not_before", notBefore.ToUnixTimeMilliseconds());
            Text(command, "@error", reason);
        }, cancellationToken);

    public Task<bool> ReleaseAsync(string id, string owner, CancellationToken cancellationToken = default) =>
        OwnedUpdateAsync(id, owner,
            "status = 'queued', lease_owner = NULL, lease_until_ms = NULL, not_before_ms = NULL, attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END",
            _ => { }, cancellationToken);

    public async Task<IReadOnlyList<NotificationJob>> ClaimNotificationsAsync(int limit, TimeSpan lease, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        var now = NowMs();
        await using var connection = await OpenQueueAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, null, $"""
            UPDATE analyses SET notify_status = 'sending', notify_due_ms = @until, notify_attempts = notify_attempts + 1
            WHERE id IN (
                SELECT id FROM analyses
                WHERE (notify_status = 'pending' AND (notify_due_ms IS NULL OR notify_due_ms <= @now))
                   OR (notify_status = 'sending' AND notify_due_ms < @now)
                ORDER BY completed_at, id
                LIMIT @limit{SkipLockedClause})
            RETURNING {AnalysisColumns}, notify_attempts
            """);
        Int64(command, "@until", now + (long)lease.TotalMilliseconds);
        Int64(command, "@now", now);
        Int64(command, "@limit", limit);
        var jobs = new List<NotificationJob>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            jobs.Add(new NotificationJob(ReadAnalysis(reader), Convert.ToInt32(reader.GetValue(13), CultureInfo.InvariantCulture)));
        }

        return jobs;
    }

    public async Task SetNotificationAsync(string id, NotificationState state, DateTimeOffset? retryAt = null, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenQueueAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, null, "UPDATE analyses SET notify_status = @state, notify_due_ms = @due WHERE id = @id");
        Text(command, "@state", state.ToString().ToLowerInvariant());
        Int64(command, "@due", retryAt?.ToUnixTimeMilliseconds());
        Text(command, "@id", id);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> MarkResolvedAsync(string id, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenQueueAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, null, "UPDATE analyses SET resolved_at = @at WHERE id = @id AND resolved_at IS NULL");
        Text(command, "@at", at.ToString("O", CultureInfo.InvariantCulture));
        Text(command, "@id", id);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    public async Task<NotificationState?> GetNotificationAsync(string id, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenQueueAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, null, "SELECT notify_status FROM analyses WHERE id = @id");
        Text(command, "@id", id);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is string state
            ? Enum.Parse<NotificationState>(state, ignoreCase: true)
            : null;
    }

    private async Task<bool> OwnedUpdateAsync(string id, string owner, string assignments, Action<DbCommand> bind, CancellationToken cancellationToken)
    {
        await using var connection = await OpenQueueAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, null, $"UPDATE analyses SET {assignments} WHERE id = @id AND lease_owner = @owner AND status = 'running'");
        Text(command, "@id", id);
        Text(command, "@owner", owner);
        bind(command);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    private async Task<DbConnection> OpenQueueAsync(CancellationToken cancellationToken)
    {
        await InitializeAsync(cancellationToken).ConfigureAwait(false);
        return await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
    }

    private static long NowMs() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    private static void Int64(DbCommand command, string name, long? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.DbType = DbType.Int64;
        parameter.Value = value.HasValue ? value.Value : DBNull.Value;
        command.Parameters.Add(parameter);
    }
}
