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
}
