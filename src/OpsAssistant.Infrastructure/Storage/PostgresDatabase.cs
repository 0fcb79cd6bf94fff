using System.Data.Common;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace OpsAssistant.Infrastructure.Storage;

/// <summary>
/// The database on PostgreSQL, for several stateless replicas sharing one database. Connections come from one
/// <see cref="NpgsqlDataSource"/> (Npgsql's pool); migrations take an advisory lock so replicas starting together
/// do not race on <c>CREATE TABLE</c>.
/// </summary>
public sealed class PostgresDatabase : RelationalDatabase
{
    // Any fixed number: it only has to be the same in every replica.
    private const long MigrationLockKey = 0x4f7073417373;

    private readonly NpgsqlDataSource _dataSource;

    public PostgresDatabase(string connectionString, ILogger<PostgresDatabase>? logger = null)
        : base(SqlDialect.Postgres, logger ?? NullLogger<PostgresDatabase>.Instance)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        _dataSource = NpgsqlDataSource.Create(connectionString);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _dataSource.Dispose();
        }

        base.Dispose(disposing);
    }

    protected override async ValueTask DisposeAsyncCore()
    {
        await _dataSource.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsyncCore().ConfigureAwait(false);
    }

    protected override async Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken) =>
        await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

    protected override async Task LockForMigrationAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken) =>
        await Sql.ExecuteAsync(connection, transaction, $"SELECT pg_advisory_xact_lock({MigrationLockKey})", cancellationToken).ConfigureAwait(false);
}
