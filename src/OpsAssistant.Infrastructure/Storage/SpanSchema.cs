namespace OpsAssistant.Infrastructure.Storage;

/// <summary>The span and trace-index tables (<see cref="StorageMigrations"/> steps 1, 6, 7, 11 and 12).</summary>
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

    /// <summary>
    /// Migration 11: spans stored as chunks, one row per trace per ingest request (<see cref="SpanChunkCodec"/>), instead of
    /// a row and three index entries per span; <c>trace_operations</c> keeps each trace's distinct (service, operation)
    /// pairs for search, the per-trace service list and the incident reader, filled here from the span rows of older
    /// databases, whose two service/name indexes it replaces (those rows are still read, by trace). Each of those looks
    /// operations up by trace (searches walk <c>trace_index</c> and test each trace), so the primary key is its only index:
    /// a secondary index by service or name cost more at ingest than the rest of the write. <c>trace_index</c>
    /// gains the rank and start of its root candidate so later chunks can update it without reading the trace again; rows
    /// from before start as a parentless root at the trace's start. <c>invalid_span_ids</c> counts span IDs that are not 16
    /// characters, which the span table's check refused: such a request still fails whole, as before. <c>span_keys</c>
    /// (before the payload, so reading it leaves the payload's pages alone) lists the chunk's span IDs and error flags: a
    /// span re-sent later is found there and counted once.
    /// </summary>
    private const string Chunks = """
        CREATE TABLE IF NOT EXISTS trace_chunks (
            chunk_id {identity},
            trace_id TEXT NOT NULL CHECK (length(trace_id) = 32),
            start_ns {int64} NOT NULL,
            end_ns {int64} NOT NULL,
            span_count {int64} NOT NULL,
            error_count {int64} NOT NULL,
            invalid_span_ids {int64} NOT NULL CHECK (invalid_span_ids = 0),
            span_keys {blob} NOT NULL,
            payload {blob} NOT NULL);
        CREATE INDEX IF NOT EXISTS ix_trace_chunks_trace ON trace_chunks (trace_id, chunk_id);
        CREATE TABLE IF NOT EXISTS trace_operations (
            trace_id TEXT NOT NULL,
            service TEXT NOT NULL,
            name TEXT NOT NULL,
            PRIMARY KEY (trace_id, service, name)){without rowid};
        INSERT INTO trace_operations (trace_id, service, name)
            SELECT DISTINCT trace_id, service, name FROM trace_spans WHERE 1 = 1 ON CONFLICT DO NOTHING;
        DROP INDEX IF EXISTS ix_trace_spans_service_name;
        DROP INDEX IF EXISTS ix_trace_spans_name;
        ALTER TABLE trace_index ADD COLUMN {if not exists}root_rank {int64} NOT NULL DEFAULT 0;
        ALTER TABLE trace_index ADD COLUMN {if not exists}root_start_ns {int64} NOT NULL DEFAULT 0;
        UPDATE trace_index SET root_start_ns = start_ns;
        """;

    /// <summary>Migration 11 in SQLite's types; the chunk ID is the rowid, so chunks are appended in ID order.</summary>
    public static string SqliteChunks { get; } = Chunks.Replace("{identity}", "INTEGER PRIMARY KEY", StringComparison.Ordinal)
        .Replace("{int64}", "INTEGER", StringComparison.Ordinal).Replace("{blob}", "BLOB", StringComparison.Ordinal)
        .Replace("{without rowid}", " WITHOUT ROWID", StringComparison.Ordinal).Replace("{if not exists}", "", StringComparison.Ordinal);

    /// <summary>Migration 11 in PostgreSQL's types.</summary>
    public static string PostgresChunks { get; } = Chunks.Replace("{identity}", "bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY", StringComparison.Ordinal)
        .Replace("{int64}", "bigint", StringComparison.Ordinal).Replace("{blob}", "bytea", StringComparison.Ordinal)
        .Replace("{without rowid}", "", StringComparison.Ordinal).Replace("{if not exists}", "IF NOT EXISTS ", StringComparison.Ordinal);

    /// <summary>
    /// Migration 12 (PostgreSQL): a chunk's payload (13 KB for 50 spans) and span keys are compressed by lz4 instead of
    /// pglz when PostgreSQL stores them. pglz took 2.5 ms of the server's CPU per 1,000 spans ingested, lz4 0.5 ms, for a
    /// value 15% larger that still stays in the row; lz4 also decompresses several times faster on every read. Only new
    /// values change: chunks stored before keep their pglz form and read as before. A server built without lz4 (or older
    /// than PostgreSQL 14, which has no per-column compression) keeps pglz: the statement runs dynamically so that either
    /// error is caught here rather than failing the migration.
    /// </summary>
    public const string PostgresChunkCompression = """
        DO $$
        BEGIN
            EXECUTE 'ALTER TABLE trace_chunks ALTER COLUMN payload SET COMPRESSION lz4, ALTER COLUMN span_keys SET COMPRESSION lz4';
        EXCEPTION WHEN feature_not_supported OR syntax_error THEN
            NULL;
        END
        $$;
        """;

    /// <summary>Migration 12 (SQLite): SQLite stores blobs as they are, so there is nothing to change.</summary>
    public const string SqliteChunkCompression = "-- SQLite does not compress stored values.";
}
