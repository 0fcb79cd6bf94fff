using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace OpsAssistant.Infrastructure.Storage;

/// <summary>
/// The embedded store: one SQLite file in WAL mode (readers never block the writer), a connection per operation from
/// Microsoft.Data.Sqlite's pool, and a busy timeout so concurrent writers queue instead of failing.
/// </summary>
public sealed class SqliteTraceStore : RelationalTraceStore
{
    private static readonly string[] Schema =
    [
        """
        CREATE TABLE IF NOT EXISTS trace_spans (
            trace_id TEXT NOT NULL CHECK (length(trace_id) = 32),
            span_id TEXT NOT NULL CHECK (length(span_id) = 16),
            parent_span_id TEXT NULL,
            service TEXT NOT NULL,
            name TEXT NOT NULL,
            start_ns INTEGER NOT NULL,
            end_ns INTEGER NOT NULL,
            is_error INTEGER NOT NULL,
            payload BLOB NOT NULL,
            PRIMARY KEY (trace_id, span_id));
        CREATE INDEX IF NOT EXISTS ix_trace_spans_service_name ON trace_spans (service, name, trace_id);
        CREATE INDEX IF NOT EXISTS ix_trace_spans_name ON trace_spans (name, trace_id);
        CREATE TABLE IF NOT EXISTS trace_index (
            trace_id TEXT NOT NULL PRIMARY KEY,
            start_ns INTEGER NOT NULL,
            end_ns INTEGER NOT NULL,
            span_count INTEGER NOT NULL,
            error_count INTEGER NOT NULL,
            root_service TEXT NOT NULL,
            root_name TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS ix_trace_index_start ON trace_index (start_ns DESC);
        """,
    ];

    private readonly string _connectionString;
    private volatile bool _walEnabled;

    public SqliteTraceStore(string connectionString, ILogger<SqliteTraceStore>? logger = null)
        : base(logger ?? NullLogger<SqliteTraceStore>.Instance)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var builder = new SqliteConnectionStringBuilder(connectionString);
        if (builder.DefaultTimeout < 30)
        {
            // Also bounds how long Microsoft.Data.Sqlite retries a busy database before giving up.
            builder.DefaultTimeout = 30;
        }

        _connectionString = builder.ToString();
        DatabasePath = builder.DataSource;
    }

    /// <summary>Pragmas run on every connection after the store's own (tests use <c>max_page_count</c> to fill the disk).</summary>
    internal string? ExtraPragmas { get; set; }

    /// <summary>The database file (or <c>:memory:</c>).</summary>
    public string DatabasePath { get; }

    /// <summary>A connection string for a database file, creating its folder on first use.</summary>
    public static string ConnectionStringForFile(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return new SqliteConnectionStringBuilder
        {
            DataSource = System.IO.Path.GetFullPath(path),
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
    }

    protected override IReadOnlyList<string> Migrations { get; } = [.. Schema, ConversationSchema.Analyses, QueueSchema.StatusIndex, QueueSchema.Leases, SamplingSchema.Overrides, SpanSchema.TraceStartOrder, SpanSchema.SqliteTraceRevision, Incidents.IncidentSchema.Incidents];

    protected override async Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken)
    {
        if (!_walEnabled)
        {
            var directory = System.IO.Path.GetDirectoryName(DatabasePath);
            if (!string.IsNullOrEmpty(directory) && !DatabasePath.StartsWith(':'))
            {
                Directory.CreateDirectory(directory);
            }
        }

        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);

            // busy_timeout is per connection; journal_mode=WAL sticks to the file, so it is set once per process.
            var pragmas = _walEnabled
                ? "PRAGMA busy_timeout = 10000; PRAGMA synchronous = NORMAL;"
                : "PRAGMA busy_timeout = 10000; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;";
            await ExecuteAsync(connection, null, pragmas + ExtraPragmas, cancellationToken).ConfigureAwait(false);
            _walEnabled = true;
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
