using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using OpsAssistant.Core.Analyses;
using OpsAssistant.Core.Results;
using OpsAssistant.Core.Sampling;
using static OpsAssistant.Infrastructure.Storage.Sql;

namespace OpsAssistant.Infrastructure.Storage;

/// <summary>
/// Analyses and the webhook job queue, which is the analyses table itself. A claim is one <c>UPDATE … WHERE id IN
/// (SELECT … LIMIT n) RETURNING</c>: SQLite runs it under its single writer lock, and on PostgreSQL the database adds
/// <c>FOR UPDATE SKIP LOCKED</c> so replicas claiming together take disjoint rows without waiting on each other. Every
/// later write is conditional on the lease owner, which is what makes completion exactly-once. Lease times come from the
/// injected <see cref="TimeProvider"/>.
/// <para>
/// Accepted alerts are queued through a <see cref="GroupCommit{TRequest,TResult}"/>: concurrent deliveries share one
/// transaction, and each delivery is answered only once its rows are committed. A delivery's analyses and the sampling
/// writes of its alerts (<see cref="IAlertIntake"/>) go in the same transaction, written by <see cref="AlertSamplingWriter"/>:
/// one commit per group of deliveries, not one for the analyses and another for the raises. The queue depth the webhook checks per
/// delivery is counted at most once per <see cref="PendingRecount"/> and kept current in between by this process's own
/// inserts and completions; what other replicas queued shows up at the next count.
/// </para>
/// </summary>
public sealed class AnalysisRepository : IAnalysisStore, IAnalysisQueue, IAlertIntake
{
    /// <summary>How long a counted queue depth is trusted (adjusted by this process's own writes) before it is counted again.</summary>
    public static readonly TimeSpan PendingRecount = TimeSpan.FromSeconds(1);

    /// <summary>Queued alerts and their sampling writes one shared transaction holds at most.</summary>
    private const int MaxGroupInserts = 500;

    private readonly RelationalDatabase _database;
    private readonly TimeProvider _clock;
    private readonly GroupCommit<AlertIntake, AlertIntakeResult> _inserts;
    private readonly Lock _pendingLock = new();
    private int _pending;
    private long? _pendingCountedAt;

    public AnalysisRepository(RelationalDatabase database, TimeProvider? clock = null)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
        _clock = clock ?? TimeProvider.System;
        _inserts = new GroupCommit<AlertIntake, AlertIntakeResult>(database, InsertGroupAsync, intake => intake.Analyses.Count + intake.Sampling.Count, MaxGroupInserts,
            database.Dialect == SqlDialect.Sqlite ? 1 : Math.Max(2, Environment.ProcessorCount));
    }

    /// <summary>Transactions the accepts were written in (for tests and the benchmark): fewer than deliveries means shared commits.</summary>
    internal long AcceptGroups => _inserts.Groups;

    public async Task SaveAsync(AnalysisRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, null, $"""
            {InsertAnalysisSql}
            ON CONFLICT (id) DO UPDATE SET status = excluded.status, completed_at = excluded.completed_at,
                result = excluded.result, error = excluded.error, source = excluded.source
            """);
        BindAnalysis(command, record);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);

        // An upsert may move a row in or out of the queue: count again next time.
        ForgetPending();
    }

    public async Task<AnalysisRecord?> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, null, $"SELECT {AnalysisColumns} FROM analyses WHERE id = @id");
        Text(command, "@id", id);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? ReadAnalysis(reader) : null;
    }

    /// <summary>The columns <see cref="ReadAnalysis"/> expects, in its order.</summary>
    private const string AnalysisColumns = "id, trace_id, status, origin, source, created_at, completed_at, result, error, subject, trace_parent, attempts, resolved_at";

    /// <summary>The insert shared by the upsert and the insert-if-absent of queued alerts; <see cref="BindAnalysis"/> fills it.</summary>
    private const string InsertAnalysisSql = """
        INSERT INTO analyses (id, trace_id, status, origin, source, created_at, completed_at, result, error, subject, trace_parent)
        VALUES (@id, @trace_id, @status, @origin, @source, @created_at, @completed_at, @result, @error, @subject, @trace_parent)
        """;

    private static AnalysisRecord ReadAnalysis(DbDataReader reader) => new()
    {
        Id = reader.GetString(0),
        TraceId = reader.GetString(1),
        Status = Enum.Parse<AnalysisStatus>(reader.GetString(2), ignoreCase: true),
        Origin = reader.GetString(3),
        Source = reader.IsDBNull(4) ? null : reader.GetString(4),
        CreatedAt = DateTimeOffset.Parse(reader.GetString(5), CultureInfo.InvariantCulture),
        CompletedAt = reader.IsDBNull(6) ? null : DateTimeOffset.Parse(reader.GetString(6), CultureInfo.InvariantCulture),
        Result = reader.IsDBNull(7) ? null : JsonSerializer.Deserialize(reader.GetString(7), ResultJson.Result),
        Error = reader.IsDBNull(8) ? null : reader.GetString(8),
        Subject = reader.IsDBNull(9) ? null : reader.GetString(9),
        TraceParent = reader.IsDBNull(10) ? null : reader.GetString(10),
        Attempts = Convert.ToInt32(reader.GetValue(11), CultureInfo.InvariantCulture),
        ResolvedAt = reader.IsDBNull(12) ? null : DateTimeOffset.Parse(reader.GetString(12), CultureInfo.InvariantCulture),
    };

    /// <summary>The parameters of <see cref="InsertAnalysisSql"/>.</summary>
    private static void BindAnalysis(DbCommand command, AnalysisRecord record)
    {
        Text(command, "@id", record.Id);
        Text(command, "@trace_id", record.TraceId);
        Text(command, "@status", record.Status.ToString().ToLowerInvariant());
        Text(command, "@origin", record.Origin);
        Text(command, "@source", record.Source);
        Text(command, "@created_at", record.CreatedAt.ToString("O", CultureInfo.InvariantCulture));
        Text(command, "@completed_at", record.CompletedAt?.ToString("O", CultureInfo.InvariantCulture));
        Text(command, "@result", record.Result is null ? null : JsonSerializer.Serialize(record.Result, ResultJson.Result));
        Text(command, "@error", record.Error);
        Text(command, "@subject", record.Subject);
        Text(command, "@trace_parent", record.TraceParent);
    }

    public async Task<bool> TryAddAsync(AnalysisRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        return (await AcceptAsync(new AlertIntake([record], []), cancellationToken).ConfigureAwait(false)).Inserted[0];
    }

    public async Task<AlertIntakeResult> AcceptAsync(AlertIntake intake, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(intake);
        var result = await _inserts.WriteAsync(intake, cancellationToken).ConfigureAwait(false);
        var queued = 0;
        for (var i = 0; i < intake.Analyses.Count; i++)
        {
            if (result.Inserted[i] && intake.Analyses[i].Status is AnalysisStatus.Queued or AnalysisStatus.Running)
            {
                queued++;
            }
        }

        AdjustPending(queued);
        return result;
    }

    /// <summary>
    /// Writes a group of deliveries in order, each its analyses (inserted only if their ID is new) and then its sampling
    /// writes, with one prepared statement per kind of row.
    /// </summary>
    private async Task<AlertIntakeResult[]> InsertGroupAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<AlertIntake> group, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, $"""
            {InsertAnalysisSql}
            ON CONFLICT (id) DO NOTHING
            """);
        await using var sampling = new AlertSamplingWriter(connection, transaction, _database.Dialect);
        var results = new AlertIntakeResult[group.Count];
        for (var i = 0; i < group.Count; i++)
        {
            var intake = group[i];
            var inserted = new bool[intake.Analyses.Count];
            for (var j = 0; j < inserted.Length; j++)
            {
                command.Parameters.Clear();
                BindAnalysis(command, intake.Analyses[j]);
                inserted[j] = await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
            }

            var outcomes = new SamplingWriteOutcome[intake.Sampling.Count];
            for (var j = 0; j < outcomes.Length; j++)
            {
                outcomes[j] = await sampling.WriteAsync(intake.Sampling[j], oncePerTrigger: true, cancellationToken).ConfigureAwait(false);
            }

            results[i] = new AlertIntakeResult(inserted, outcomes);
        }

        return results;
    }

    public async Task<int> CountPendingAsync(CancellationToken cancellationToken = default)
    {
        lock (_pendingLock)
        {
            if (_pendingCountedAt is { } at && _clock.GetElapsedTime(at) < PendingRecount)
            {
                return Math.Max(0, _pending);
            }
        }

        var countedAt = _clock.GetTimestamp();
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, null, "SELECT COUNT(*) FROM analyses WHERE status IN ('queued', 'running')");
        var count = Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
        lock (_pendingLock)
        {
            _pending = count;
            _pendingCountedAt = countedAt;
        }

        return count;
    }

    private void AdjustPending(int change)
    {
        lock (_pendingLock)
        {
            _pending += change;
        }
    }

    private void ForgetPending()
    {
        lock (_pendingLock)
        {
            _pendingCountedAt = null;
        }
    }

    public async Task<IReadOnlyDictionary<AnalysisStatus, int>> CountByStatusAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
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
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, null, $"""
            UPDATE analyses SET status = 'running', lease_owner = @owner, lease_until_ms = @until, attempts = attempts + 1
            WHERE id IN (
                SELECT id FROM analyses
                WHERE (status = 'queued' AND (not_before_ms IS NULL OR not_before_ms <= @now))
                   OR (status = 'running' AND (lease_until_ms IS NULL OR lease_until_ms < @now))
                ORDER BY created_at, id
                LIMIT @limit{_database.SkipLockedClause})
            RETURNING {AnalysisColumns}
            """);
        Text(command, "@owner", owner);
        Integer(command, "@until", now + (long)lease.TotalMilliseconds);
        Integer(command, "@now", now);
        Integer(command, "@limit", limit);
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
        OwnedUpdateAsync(id, owner, "lease_until_ms = @until", command => Integer(command, "@until", NowMs() + (long)lease.TotalMilliseconds), cancellationToken);

    public Task<bool> CompleteAsync(AnalysisRecord outcome, string owner, bool notify, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        if (outcome.Status is not (AnalysisStatus.Done or AnalysisStatus.Failed))
        {
            throw new ArgumentException("An outcome is done or failed.", nameof(outcome));
        }

        return CompleteOwnedAsync(outcome, owner, notify, cancellationToken);
    }

    private async Task<bool> CompleteOwnedAsync(AnalysisRecord outcome, string owner, bool notify, CancellationToken cancellationToken)
    {
        var completed = await OwnedUpdateAsync(outcome.Id, owner, """
            status = @status, completed_at = @completed_at, result = @result, error = @error, source = @source,
            lease_owner = NULL, lease_until_ms = NULL, not_before_ms = NULL, notify_status = @notify, notify_due_ms = NULL
            """, command =>
        {
            Text(command, "@status", outcome.Status.ToString().ToLowerInvariant());
            Text(command, "@completed_at", (outcome.CompletedAt ?? _clock.GetUtcNow()).ToString("O", CultureInfo.InvariantCulture));
            Text(command, "@result", outcome.Result is null ? null : JsonSerializer.Serialize(outcome.Result, ResultJson.Result));
            Text(command, "@error", outcome.Error);
            Text(command, "@source", outcome.Source);
            Text(command, "@notify", notify ? "pending" : null);
        }, cancellationToken).ConfigureAwait(false);
        if (completed)
        {
            AdjustPending(-1);
        }

        return completed;
    }

    public Task<bool> RetryLaterAsync(string id, string owner, DateTimeOffset notBefore, string reason, CancellationToken cancellationToken = default) =>
        OwnedUpdateAsync(id, owner, "status = 'queued', lease_owner = NULL, lease_until_ms = NULL, not_before_ms = @not_before, error = @error", command =>
        {
            Integer(command, "@not_before", notBefore.ToUnixTimeMilliseconds());
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
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, null, $"""
            UPDATE analyses SET notify_status = 'sending', notify_due_ms = @until, notify_attempts = notify_attempts + 1
            WHERE id IN (
                SELECT id FROM analyses
                WHERE (notify_status = 'pending' AND (notify_due_ms IS NULL OR notify_due_ms <= @now))
                   OR (notify_status = 'sending' AND notify_due_ms < @now)
                ORDER BY completed_at, id
                LIMIT @limit{_database.SkipLockedClause})
            RETURNING {AnalysisColumns}, notify_attempts
            """);
        Integer(command, "@until", now + (long)lease.TotalMilliseconds);
        Integer(command, "@now", now);
        Integer(command, "@limit", limit);
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
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, null, "UPDATE analyses SET notify_status = @state, notify_due_ms = @due WHERE id = @id");
        Text(command, "@state", state.ToString().ToLowerInvariant());
        Integer(command, "@due", retryAt?.ToUnixTimeMilliseconds());
        Text(command, "@id", id);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> MarkResolvedAsync(string id, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, null, "UPDATE analyses SET resolved_at = @at WHERE id = @id AND resolved_at IS NULL");
        Text(command, "@at", at.ToString("O", CultureInfo.InvariantCulture));
        Text(command, "@id", id);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    public async Task<NotificationState?> GetNotificationAsync(string id, CancellationToken cancellationToken = default)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, null, "SELECT notify_status FROM analyses WHERE id = @id");
        Text(command, "@id", id);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is string state
            ? Enum.Parse<NotificationState>(state, ignoreCase: true)
            : null;
    }

    private async Task<bool> OwnedUpdateAsync(string id, string owner, string assignments, Action<DbCommand> bind, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, null, $"UPDATE analyses SET {assignments} WHERE id = @id AND lease_owner = @owner AND status = 'running'");
        Text(command, "@id", id);
        Text(command, "@owner", owner);
        bind(command);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    private long NowMs() => _clock.GetUtcNow().ToUnixTimeMilliseconds();
}
