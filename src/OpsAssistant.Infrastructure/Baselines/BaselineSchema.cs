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

    public const string Prune = "DELETE FROM baseline_bins WHERE bucket_ms < @before; DELETE FROM baseline_calls WHERE bucket_ms < @before;";
}
