namespace OpsAssistant.Infrastructure.Storage;

/// <summary>The span and trace-index tables (<see cref="StorageMigrations"/> steps 1, 6 and 7).</summary>
internal static class SpanSchema
{
    /// <summary>
    /// Migration 1: spans as indexed columns plus a compact payload, and one row of aggregates per trace so searches never
    /// scan spans. Written once; only the integer and binary column types differ between the dialects.
    /// </summary>
    private const string Tables = """
        CREATE TABLE IF NOT EXISTS trace_spans (
            trace_id TEXT NOT NULL CHECK (length(trace_id) = 32),
            span_id TEXT NOT NULL CHECK (length(span_id) = 16),
            parent_span_id TEXT NULL,
            service TEXT NOT NULL,
            name TEXT NOT NULL,
            start_ns {int64} NOT NULL,
            end_ns {int64} NOT NULL,
            is_error {int16} NOT NULL,
            payload {blob} NOT NULL,
            PRIMARY KEY (trace_id, span_id));
        CREATE INDEX IF NOT EXISTS ix_trace_spans_service_name ON trace_spans (service, name, trace_id);
        CREATE INDEX IF NOT EXISTS ix_trace_spans_name ON trace_spans (name, trace_id);
        CREATE TABLE IF NOT EXISTS trace_index (
            trace_id TEXT NOT NULL PRIMARY KEY,
            start_ns {int64} NOT NULL,
            end_ns {int64} NOT NULL,
            span_count {int64} NOT NULL,
            error_count {int64} NOT NULL,
            root_service TEXT NOT NULL,
            root_name TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS ix_trace_index_start ON trace_index (start_ns DESC);
        """;

    /// <summary>Migration 1 in SQLite's types (every integer is <c>INTEGER</c>).</summary>
    public static string SqliteTables { get; } = Tables.Replace("{int64}", "INTEGER", StringComparison.Ordinal)
        .Replace("{int16}", "INTEGER", StringComparison.Ordinal).Replace("{blob}", "BLOB", StringComparison.Ordinal);

    /// <summary>Migration 1 in PostgreSQL's types.</summary>
    public static string PostgresTables { get; } = Tables.Replace("{int64}", "bigint", StringComparison.Ordinal)
        .Replace("{int16}", "smallint", StringComparison.Ordinal).Replace("{blob}", "bytea", StringComparison.Ordinal);

    /// <summary>
    /// Migration 6: a trace is read back in start order. Without an index in that order every read sorted all the trace's
    /// rows, payloads included (SQLite spilled the sort of a 10,000-span trace to a temporary file; PostgreSQL's default
    /// work_mem would too); with it the rows come out of the index already ordered.
    /// </summary>
    public const string TraceStartOrder = """
        CREATE INDEX IF NOT EXISTS ix_trace_spans_trace_start ON trace_spans (trace_id, start_ns, span_id);
        """;

    /// <summary>
    /// Migration 7 (SQLite): a revision per trace, raised by every ingest that touches the trace, so a copy read earlier
    /// can be reused while the revision is unchanged (<see cref="StoredTraceCache"/>).
    /// </summary>
    public const string SqliteTraceRevision = """
        ALTER TABLE trace_index ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;
        """;

    /// <summary>Migration 7 (PostgreSQL), as <see cref="SqliteTraceRevision"/>.</summary>
    public const string PostgresTraceRevision = """
        ALTER TABLE trace_index ADD COLUMN IF NOT EXISTS revision BIGINT NOT NULL DEFAULT 0;
        """;
}
