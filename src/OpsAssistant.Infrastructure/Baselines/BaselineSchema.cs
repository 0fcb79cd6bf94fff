namespace OpsAssistant.Infrastructure.Baselines;

/// <summary>
/// The baseline tables, one migration appended to both databases' lists (the SQL is the same in SQLite and PostgreSQL).
/// One row per (service, operation, span kind, bucket start, sketch bin) holds that bin's count, so replicas merge their
/// sketches by adding counts in the database (<c>ON CONFLICT ... DO UPDATE SET count = count + excluded.count</c>); the
/// zero bin is <see cref="ZeroBin"/>. Calls and errors per bucket sit beside them.
/// </summary>
internal static class BaselineSchema
{
    /// <summary>The bin index that stands for the sketch's zero bin (durations of a nanosecond or less).</summary>
    public const int ZeroBin = int.MinValue;

    /// <summary>PostgreSQL's tables.</summary>
    public const string Tables = """
        CREATE TABLE IF NOT EXISTS baseline_bins (
            service TEXT NOT NULL,
            operation TEXT NOT NULL,
            kind SMALLINT NOT NULL,
            bucket_ms BIGINT NOT NULL,
            bin INTEGER NOT NULL,
            count BIGINT NOT NULL,
            PRIMARY KEY (service, operation, kind, bucket_ms, bin));
        CREATE INDEX IF NOT EXISTS ix_baseline_bins_bucket ON baseline_bins (bucket_ms);
        CREATE TABLE IF NOT EXISTS baseline_calls (
            service TEXT NOT NULL,
            operation TEXT NOT NULL,
            kind SMALLINT NOT NULL,
            bucket_ms BIGINT NOT NULL,
            calls BIGINT NOT NULL,
            errors BIGINT NOT NULL,
            PRIMARY KEY (service, operation, kind, bucket_ms));
        CREATE INDEX IF NOT EXISTS ix_baseline_calls_bucket ON baseline_calls (bucket_ms);
        """;

    /// <summary>
    /// SQLite's: the same tables clustered by their key (<c>WITHOUT ROWID</c>), so reading a service's sketches walks one
    /// b-tree in key order instead of an index and then the table.
    /// </summary>
    public static readonly string SqliteTables = Tables.Replace("));", ")) WITHOUT ROWID;", StringComparison.Ordinal);

    public const string UpsertBin = """
        INSERT INTO baseline_bins (service, operation, kind, bucket_ms, bin, count) VALUES (@s, @o, @k, @b, @i, @c)
        ON CONFLICT (service, operation, kind, bucket_ms, bin) DO UPDATE SET count = baseline_bins.count + excluded.count
        """;

    public const string UpsertCalls = """
        INSERT INTO baseline_calls (service, operation, kind, bucket_ms, calls, errors) VALUES (@s, @o, @k, @b, @n, @e)
        ON CONFLICT (service, operation, kind, bucket_ms) DO UPDATE SET calls = baseline_calls.calls + excluded.calls, errors = baseline_calls.errors + excluded.errors
        """;

    public const string Prune = """
        DELETE FROM baseline_bins WHERE bucket_ms < @before;
        DELETE FROM baseline_calls WHERE bucket_ms < @before;
        DELETE FROM baseline_operations WHERE NOT EXISTS (SELECT 1 FROM baseline_calls c
            WHERE c.service = baseline_operations.service AND c.operation = baseline_operations.operation AND c.kind = baseline_operations.kind);
        DELETE FROM baseline_summaries WHERE computed_ms < @before;
        """;

    /// <summary>
    /// PostgreSQL's summary tables (migration 10). <c>baseline_operations</c> holds a version per operation that every flush
    /// touching the operation raises, in the flush's transaction. <c>baseline_summaries</c> holds, per operation and window
    /// length, the figures a lookup serves, the version of the bins they were computed from and the oldest bucket they
    /// include: a summary is stale when its version is behind the operation's (another flush, maybe another replica's, added
    /// bins) or its oldest bucket has left the window; a window length nobody computed has no rows at all. A summary covers
    /// the complete buckets before the bucket it was computed in (<c>computed_ms</c>): it serves lookups as of that bucket
    /// only, and is stale once that bucket has completed. Rows of empty
    /// operations (nothing in the window) are kept with count 0, so they are not recomputed on every pass. The last
    /// statement registers the operations of a database that already holds bins, so the first pass computes their summaries.
    /// </summary>
    public const string SummaryTables = """
        CREATE TABLE IF NOT EXISTS baseline_operations (
            service TEXT NOT NULL,
            operation TEXT NOT NULL,
            kind SMALLINT NOT NULL,
            version BIGINT NOT NULL,
            PRIMARY KEY (service, operation, kind));
        CREATE TABLE IF NOT EXISTS baseline_summaries (
            service TEXT NOT NULL,
            window_ms BIGINT NOT NULL,
            operation TEXT NOT NULL,
            kind SMALLINT NOT NULL,
            version BIGINT NOT NULL,
            oldest_bucket_ms BIGINT NULL,
            computed_ms BIGINT NOT NULL,
            p50_ms DOUBLE PRECISION NOT NULL,
            p90_ms DOUBLE PRECISION NOT NULL,
            p99_ms DOUBLE PRECISION NOT NULL,
            error_rate DOUBLE PRECISION NOT NULL,
            count BIGINT NOT NULL,
            PRIMARY KEY (service, window_ms, operation, kind));
        INSERT INTO baseline_operations (service, operation, kind, version)
            SELECT DISTINCT service, operation, kind, 1 FROM baseline_calls WHERE true
            ON CONFLICT (service, operation, kind) DO NOTHING;
        """;

    /// <summary>SQLite's: the same, clustered by their keys.</summary>
    public static readonly string SqliteSummaryTables = SummaryTables.Replace("));", ")) WITHOUT ROWID;", StringComparison.Ordinal);

    /// <summary>
    /// Raises an operation's version to past both its last and the flush's clock (<c>@now</c>, ms). The clock part keeps
    /// versions rising when the prune has deleted an operation that then comes back: its old summary (kept until it ages
    /// out) must not look newer than the new bins.
    /// </summary>
    public const string BumpVersion = """
        INSERT INTO baseline_operations (service, operation, kind, version) VALUES (@s, @o, @k, @now)
        ON CONFLICT (service, operation, kind) DO UPDATE SET version =
            CASE WHEN baseline_operations.version + 1 > excluded.version THEN baseline_operations.version + 1 ELSE excluded.version END
        RETURNING version
        """;

    /// <summary>
    /// The operations whose summary for window <c>@w</c> ending at the current bucket's start <c>@to</c> is missing or stale
    /// (see <see cref="SummaryTables"/>; computed before <c>@to</c>: for a bucket that has completed since), with the version
    /// to compute them as of: read before their bins, so the bins read include at least that version's.
    /// </summary>
    public const string StaleSummaries = """
        SELECT o.service, o.operation, o.kind, o.version FROM baseline_operations o
        LEFT JOIN baseline_summaries s ON s.service = o.service AND s.window_ms = @w AND s.operation = o.operation AND s.kind = o.kind
        WHERE s.version IS NULL OR s.version < o.version OR s.oldest_bucket_ms < @from OR s.computed_ms < @to
        ORDER BY o.service, o.operation, o.kind
        """;

    /// <summary>
    /// Writes a summary unless one computed from a later version is already there: of two passes racing on one operation,
    /// the one that read the newer bins wins whatever the order their writes land in.
    /// </summary>
    public const string UpsertSummary = """
        INSERT INTO baseline_summaries (service, window_ms, operation, kind, version, oldest_bucket_ms, computed_ms, p50_ms, p90_ms, p99_ms, error_rate, count)
        VALUES (@s, @w, @o, @k, @v, @oldest, @at, @p50, @p90, @p99, @er, @n)
        ON CONFLICT (service, window_ms, operation, kind) DO UPDATE SET
            version = excluded.version, oldest_bucket_ms = excluded.oldest_bucket_ms, computed_ms = excluded.computed_ms,
            p50_ms = excluded.p50_ms, p90_ms = excluded.p90_ms, p99_ms = excluded.p99_ms, error_rate = excluded.error_rate, count = excluded.count
        WHERE baseline_summaries.version <= excluded.version
        """;
}
