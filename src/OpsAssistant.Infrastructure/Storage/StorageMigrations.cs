namespace OpsAssistant.Infrastructure.Storage;

/// <summary>One schema step: its SQL for each dialect (the same text where both accept it). Each must be idempotent.</summary>
internal sealed record Migration(string Sqlite, string Postgres)
{
    /// <summary>A step whose SQL both databases accept as written.</summary>
    public static Migration Shared(string sql) => new(sql, sql);

    public string For(SqlDialect dialect) => dialect == SqlDialect.Postgres ? Postgres : Sqlite;
}

/// <summary>
/// The schema of both databases as one ordered list; a step's version is its position + 1, recorded in
/// <c>trace_schema_version</c>. Steps are only ever appended: an existing database of either kind upgrades in place by
/// running the steps past its version.
/// </summary>
internal static class StorageMigrations
{
    public static IReadOnlyList<Migration> All { get; } =
    [
        new(SpanSchema.SqliteTables, SpanSchema.PostgresTables),       // 1
        Migration.Shared(ConversationSchema.Analyses),                  // 2
        Migration.Shared(QueueSchema.StatusIndex),                      // 3
        Migration.Shared(QueueSchema.Leases),                           // 4
        Migration.Shared(SamplingSchema.Overrides),                     // 5
        Migration.Shared(SpanSchema.TraceStartOrder),                   // 6
        new(SpanSchema.SqliteTraceRevision, SpanSchema.PostgresTraceRevision), // 7
        new(Baselines.BaselineSchema.SqliteTables, Baselines.BaselineSchema.Tables), // 8
        Migration.Shared(Incidents.IncidentSchema.Incidents),           // 9
        new(Baselines.BaselineSchema.SqliteSummaryTables, Baselines.BaselineSchema.SummaryTables), // 10
        new(SpanSchema.SqliteChunks, SpanSchema.PostgresChunks),         // 11
        new(SpanSchema.SqliteChunkCompression, SpanSchema.PostgresChunkCompression), // 12
    ];
}
