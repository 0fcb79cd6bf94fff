namespace OpsAssistant.Infrastructure.Storage;

/// <summary>Span-table migrations added after the first schema, shared by both databases (plain SQL both accept).</summary>
internal static class SpanSchema
{
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
