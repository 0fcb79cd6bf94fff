using System.Data.Common;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace OpsAssistant.Infrastructure.Storage;

/// <summary>
/// The store on PostgreSQL, for several stateless replicas sharing one database. Connections come from one
/// <see cref="NpgsqlDataSource"/> (Npgsql's pool); migrations take an advisory lock so replicas starting together
/// do not race on <c>CREATE TABLE</c>.
/// </summary>
public sealed class PostgresTraceStore : RelationalTraceStore, IAsyncDisposable, IDisposable
{
    // Any fixed number: it only has to be the same in every replica.
    private const long MigrationLockKey = 0x4f7073417373;

    private static readonly string[] Schema =
    [
        """
        CREATE TABLE IF NOT EXISTS trace_spans (
            trace_id text NOT NULL CHECK (length(trace_id) = 32),
            span_id text NOT NULL CHECK (length(span_id) = 16),
            parent_span_id text NULL,
            service text NOT NULL,
            name text NOT NULL,
            start_ns bigint NOT NULL,
            end_ns bigint NOT NULL,
            is_error smallint NOT NULL,
            payload bytea NOT NULL,
            PRIMARY KEY (trace_id, span_id));
        CREATE INDEX IF NOT EXISTS ix_trace_spans_service_name ON trace_spans (service, name, trace_id);
        CREATE INDEX IF NOT EXISTS ix_trace_spans_name ON trace_spans (name, trace_id);
        CREATE TABLE IF NOT EXISTS trace_index (
            trace_id text NOT NULL PRIMARY KEY,
            start_ns bigint NOT NULL,
            end_ns bigint NOT NULL,
            span_count bigint NOT NULL,
            error_count bigint NOT NULL,
            root_service text NOT NULL,
            root_name text NOT NULL);
        CREATE INDEX IF NOT EXISTS ix_trace_index_start ON trace_index (start_ns DESC);
        """,
    ];

    private readonly NpgsqlDataSource _dataSource;

    public PostgresTraceStore(string connectionString, ILogger<PostgresTraceStore>? logger = null)
        : base(logger ?? NullLogger<PostgresTraceStore>.Instance)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        _dataSource = NpgsqlDataSource.Create(connectionString);
    }

    protected override IReadOnlyList<string> Migrations { get; } = [.. Schema, ConversationSchema.Analyses, QueueSchema.StatusIndex, QueueSchema.Leases, SamplingSchema.Overrides, SpanSchema.TraceStartOrder, SpanSchema.PostgresTraceRevision, Incidents.IncidentSchema.Incidents];

    protected override string SkipLockedClause => " FOR UPDATE SKIP LOCKED";

    public void Dispose() => _dataSource.Dispose();

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    protected override async Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken) =>
        await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

    protected override async Task LockForMigrationAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, $"SELECT pg_advisory_xact_lock({MigrationLockKey})");
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
