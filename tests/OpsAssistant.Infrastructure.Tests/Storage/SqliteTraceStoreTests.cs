using OpsAssistant.Infrastructure.Storage;

namespace OpsAssistant.Infrastructure.Tests.Storage;

/// <summary>The store contract on a temporary SQLite file.</summary>
public sealed class SqliteTraceStoreTests : TraceStoreContract, IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("opsassistant-store-").FullName;

    private string DatabasePath => Path.Combine(_directory, "nested", "traces.db");

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Initialize_NewFile_CreatesFolderAndUsesWriteAheadLog()
    {
        await Store.InitializeAsync();

        Assert.True(File.Exists(DatabasePath));
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={DatabasePath}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", (string?)await command.ExecuteScalarAsync());
    }

    protected override Task<RelationalTraceStore?> CreateStoreAsync() =>
        Task.FromResult<RelationalTraceStore?>(OpenAnotherStore());

    protected override RelationalTraceStore OpenAnotherStore(int traceCacheSpans = StorageOptions.DefaultTraceCacheSpans) =>
        new SqliteTraceStore(SqliteTraceStore.ConnectionStringForFile(DatabasePath)) { TraceCacheSpans = traceCacheSpans };

    protected override Task DisposeStoreAsync(RelationalTraceStore store) => Task.CompletedTask;
}
