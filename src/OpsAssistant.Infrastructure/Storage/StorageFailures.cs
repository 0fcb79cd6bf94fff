using Microsoft.Data.Sqlite;
using Npgsql;

namespace OpsAssistant.Infrastructure.Storage;

/// <summary>
/// Names the storage failures a caller should answer differently from a bug: the database is busy or locked (try again
/// soon) or out of space (an operator must act). Both SQLite and PostgreSQL report them as codes, not exception types.
/// </summary>
public static class StorageFailures
{
    public static StorageFailure Classify(Exception exception) => exception switch
    {
        // SQLITE_FULL: the disk, a quota, or max_page_count is exhausted.
        SqliteException { SqliteErrorCode: 13 } => StorageFailure.Full,

        // SQLITE_BUSY / SQLITE_LOCKED: another connection held a lock past the busy timeout.
        SqliteException { SqliteErrorCode: 5 or 6 } => StorageFailure.Busy,

        SqliteException e when IsMisreportedBusy(e) => StorageFailure.Busy,

        // disk_full; lock_not_available, too_many_connections, cannot_connect_now.
        PostgresException { SqlState: "53100" } => StorageFailure.Full,
        PostgresException { SqlState: "55P03" or "53300" or "57P03" } => StorageFailure.Busy,
        _ => StorageFailure.None,
    };

    /// <summary>
    /// Microsoft.Data.Sqlite sometimes loses the code of a lock conflict between connections and reports a generic error
    /// whose text is SQLite's "not an error" (dotnet/efcore#31139): seen here when several stores on one file begin
    /// transactions at once. Nothing was wrong with the statement and, unlike a real busy error, no timeout was spent
    /// waiting, so the operation is worth retrying at once.
    /// </summary>
    public static bool IsMisreportedBusy(Exception exception) =>
        exception is SqliteException { SqliteErrorCode: 1 } e && e.Message.Contains("'not an error'", StringComparison.Ordinal);
}
