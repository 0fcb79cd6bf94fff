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

    public bool IsPostgres => string.Equals(Provider, PostgresProvider, StringComparison.OrdinalIgnoreCase);

    public bool IsSqlite => string.Equals(Provider, SqliteProvider, StringComparison.OrdinalIgnoreCase);
}
