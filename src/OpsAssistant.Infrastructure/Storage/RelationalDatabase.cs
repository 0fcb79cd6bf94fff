using System.Data;
using System.Data.Common;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Microsoft.Extensions.Logging;

namespace OpsAssistant.Infrastructure.Storage;

/// <summary>The SQL spoken by a <see cref="RelationalDatabase"/>; the repositories ask it where the two differ.</summary>
public enum SqlDialect
{
    Sqlite,
    Postgres,
}

/// <summary>
/// The one relational database every repository (traces, analyses and the queue, conversations, sampling overrides)
/// works over: it opens connections, creates or upgrades the schema from the single migration list
/// (<see cref="StorageMigrations"/>) and answers for the differences between SQLite and PostgreSQL. Repositories hold
/// SQL both accept and ask the database for the rest.
/// </summary>
public abstract partial class RelationalDatabase : IAsyncDisposable, IDisposable
{
    private readonly SemaphoreSlim _initializeLock = new(1, 1);
    private volatile bool _initialized;

    protected RelationalDatabase(SqlDialect dialect, ILogger logger)
    {
        Dialect = dialect;
        Logger = logger;
    }

    public SqlDialect Dialect { get; }

    protected ILogger Logger { get; }

    /// <summary>
    /// Appended to the row-picking subquery of a queue claim: PostgreSQL's <c>FOR UPDATE SKIP LOCKED</c> lets replicas
    /// claiming together take disjoint rows; SQLite's single writer lock already serialises claims.
    /// </summary>
    internal string SkipLockedClause => Dialect == SqlDialect.Postgres ? " FOR UPDATE SKIP LOCKED" : string.Empty;

    /// <summary>
    /// A condition that <paramref name="column"/> is one of the texts bound by <see cref="BindTextList"/>: one parameter
    /// for any number of values, so a statement over a set of traces is one round trip and one prepared plan.
    /// </summary>
    internal string TextListCondition(string column, string parameter) => Dialect == SqlDialect.Postgres
        ? $"{column} = ANY({parameter})"
        : $"{column} IN (SELECT value FROM json_each({parameter}))";

    /// <summary>Binds the values of a <see cref="TextListCondition"/>: a text array on PostgreSQL, a JSON array on SQLite.</summary>
    internal void BindTextList(DbCommand command, string parameter, IReadOnlyList<string> values)
    {
        var bound = command.CreateParameter();
        bound.ParameterName = parameter;
        bound.Value = Dialect == SqlDialect.Postgres ? values.ToArray() : JsonArray(values);
        command.Parameters.Add(bound);
    }

    private static string JsonArray(IReadOnlyList<string> values)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new System.Text.Json.Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var value in values)
            {
                writer.WriteStringValue(value);
            }

            writer.WriteEndArray();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Creates or upgrades the schema once per process; later calls return at once.</summary>
    [SuppressMessage("Security", "CA5394:Do not use insecure randomness", Justification = "Random only spreads the retry pauses of contending migrations; nothing depends on it being unpredictable.")]
    public async Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        if (_initialized)
        {
            return;
        }

        await _initializeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_initialized)
            {
                return;
            }

            // Databases opened together on one file contend for the migration lock; a conflict the driver reports as an
            // error instead of waiting it out (StorageFailures.IsMisreportedBusy) is retried after a jittered pause.
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await MigrateAsync(cancellationToken).ConfigureAwait(false);
                    break;
                }
                catch (DbException ex) when (attempt < 5 && StorageFailures.IsMisreportedBusy(ex))
                {
                    LogMigrationBusy(Logger, ex, attempt);
                    await Task.Delay(Random.Shared.Next(20, 100 * attempt), cancellationToken).ConfigureAwait(false);
                }
            }

            _initialized = true;
        }
        finally
        {
            _initializeLock.Release();
        }
    }

    /// <summary>A connection to a database whose schema is current; the caller disposes it.</summary>
    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken = default)
    {
        await InitializeAsync(cancellationToken).ConfigureAwait(false);
        return await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>True when the database answers a trivial query (readiness probe).</summary>
    public async Task<bool> PingAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var command = Sql.Command(connection, null, "SELECT 1");
            await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (ex is DbException or IOException or UnauthorizedAccessException or TimeoutException or InvalidOperationException)
        {
            LogUnreachable(Logger, ex);
            return false;
        }
    }

    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    public async ValueTask DisposeAsync()
    {
        await DisposeAsyncCore().ConfigureAwait(false);
        Dispose(disposing: false);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            _initializeLock.Dispose();
        }
    }

    /// <summary>Releases what needs an asynchronous close (a connection pool); <see cref="DisposeAsync"/> calls it instead of <c>Dispose(true)</c>.</summary>
    protected virtual ValueTask DisposeAsyncCore()
    {
        _initializeLock.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>A new open connection, without the schema check (the migration itself runs on one).</summary>
    protected abstract Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken);

    /// <summary>Serialises concurrent migrations from several processes; SQLite's write lock already does.</summary>
    protected virtual Task LockForMigrationAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Applies the migrations the database lacks, in one transaction under the migration lock.</summary>
    private async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await LockForMigrationAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
        await Sql.ExecuteAsync(connection, transaction, "CREATE TABLE IF NOT EXISTS trace_schema_version (version INTEGER NOT NULL PRIMARY KEY)", cancellationToken).ConfigureAwait(false);

        int current;
        await using (var command = Sql.Command(connection, transaction, "SELECT COALESCE(MAX(version), 0) FROM trace_schema_version"))
        {
            current = Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
        }

        var migrations = StorageMigrations.All;
        for (var version = current + 1; version <= migrations.Count; version++)
        {
            await Sql.ExecuteAsync(connection, transaction, migrations[version - 1].For(Dialect), cancellationToken).ConfigureAwait(false);
            await using var record = Sql.Command(connection, transaction, "INSERT INTO trace_schema_version (version) VALUES (@version)");
            Sql.Parameter(record, "version", DbType.Int32, version);
            await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            LogMigrated(Logger, version);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Trace store schema check hit a busy database (attempt {Attempt}); retrying")]
    private static partial void LogMigrationBusy(ILogger logger, Exception exception, int attempt);

    [LoggerMessage(Level = LogLevel.Information, Message = "Trace store schema migrated to version {SchemaVersion}")]
    private static partial void LogMigrated(ILogger logger, int schemaVersion);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Trace store is not reachable")]
    private static partial void LogUnreachable(ILogger logger, Exception exception);
}
