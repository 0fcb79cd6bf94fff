using Microsoft.Data.Sqlite;
using OpsAssistant.Infrastructure.Storage;

namespace OpsAssistant.Infrastructure.Tests.Storage;

/// <summary>
/// Storage errors are sorted into "try again" and "an operator must act" by their codes, including the lock conflict
/// Microsoft.Data.Sqlite reports as a generic error with the text "not an error".
/// </summary>
public sealed class StorageFailuresTests
{
    [Theory]
    [InlineData(5, "SQLite Error 5: 'database is locked'.", StorageFailure.Busy)]
    [InlineData(6, "SQLite Error 6: 'database table is locked'.", StorageFailure.Busy)]
    [InlineData(13, "SQLite Error 13: 'database or disk is full'.", StorageFailure.Full)]
    [InlineData(1, "SQLite Error 1: 'not an error'.", StorageFailure.Busy)]
    [InlineData(1, "SQLite Error 1: 'near \"SELEC\": syntax error'.", StorageFailure.None)]
    [InlineData(19, "SQLite Error 19: 'UNIQUE constraint failed: conversation_turns.seq'.", StorageFailure.None)]
    public void Classify_SqliteErrors_ByCodeAndTheMisreportedLockConflict(int code, string message, StorageFailure expected)
    {
        var error = new SqliteException(message, code);

        Assert.Equal(expected, StorageFailures.Classify(error));
        Assert.Equal(code == 1 && expected == StorageFailure.Busy, StorageFailures.IsMisreportedBusy(error));
    }

    [Fact]
    public async Task Initialize_ManyStoresOpeningOneNewFileAtOnce_AllMigrateAndAgreeOnTheSchema()
    {
        var path = Path.Combine(Path.GetTempPath(), $"opsassistant-init-{Guid.NewGuid():n}.db");
        var stores = Enumerable.Range(0, 8).Select(_ => new SqliteDatabase(SqliteDatabase.ConnectionStringForFile(path))).ToList();
        try
        {
            await Task.WhenAll(stores.Select(store => Task.Run(() => store.InitializeAsync())));

            await using var connection = new SqliteConnection(SqliteDatabase.ConnectionStringForFile(path));
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT COUNT(*), COUNT(DISTINCT version) FROM trace_schema_version";
            await using var reader = await command.ExecuteReaderAsync();
            Assert.True(await reader.ReadAsync());
            Assert.True(reader.GetInt64(0) > 0);
            Assert.Equal(reader.GetInt64(0), reader.GetInt64(1)); // each migration applied once
        }
        finally
        {
            foreach (var store in stores)
            {
                await store.DisposeAsync();
            }

            SqliteConnection.ClearAllPools();
            foreach (var file in new[] { path, path + "-wal", path + "-shm" })
            {
                File.Delete(file);
            }
        }
    }
}
