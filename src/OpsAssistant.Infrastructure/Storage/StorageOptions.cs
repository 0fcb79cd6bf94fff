namespace OpsAssistant.Infrastructure.Storage;

/// <summary>Where traces are stored: <c>OpsAssistant:Storage</c>.</summary>
public sealed class StorageOptions
{
    public const string SectionName = "OpsAssistant:Storage";

    public const string SqliteProvider = "Sqlite";

    public const string PostgresProvider = "Postgres";

    public const string DefaultSqlitePath = "data/opsassistant.db";

    /// <summary><c>Sqlite</c> (embedded default) or <c>Postgres</c>.</summary>
    public string Provider { get; set; } = SqliteProvider;

    /// <summary>Npgsql connection string for Postgres; for Sqlite, optional (overrides <see cref="Path"/>).</summary>
    public string? ConnectionString { get; set; }

    /// <summary>SQLite database file, relative to the content root unless absolute.</summary>
    public string Path { get; set; } = DefaultSqlitePath;

    /// <summary>
    /// Default for <see cref="TraceCacheSpans"/>: twenty 10,000-span traces or two of 100,000, about 80 MB at most with their
    /// analyses (a 10,000-span trace read from the store keeps 3.1 MB live, 4.0 MB analysed: the <c>service-phases</c> bench).
    /// </summary>
    public const int DefaultTraceCacheSpans = 200_000;

    /// <summary>
    /// How many spans of recently read traces the store keeps for reuse while they are unchanged (0: none). Chat tool calls
    /// and alert bursts read the same trace again within seconds.
    /// </summary>
    public int TraceCacheSpans { get; set; } = DefaultTraceCacheSpans;

    public bool IsPostgres => string.Equals(Provider, PostgresProvider, StringComparison.OrdinalIgnoreCase);

    public bool IsSqlite => string.Equals(Provider, SqliteProvider, StringComparison.OrdinalIgnoreCase);
}
