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

    [Fact]
    public async Task Initialize_DatabaseFromBeforeTraceRevisions_UpgradesAndKeepsItsTraces()
    {
        // A database as schema 6 left it: trace_index without the revision column.
        await Store.AddSpansAsync([TestSpans.Make(1, 1), TestSpans.Make(1, 2, parent: 1)]);
        await using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={DatabasePath}"))
        {
            await connection.OpenAsync();
            await using var downgrade = connection.CreateCommand();
            downgrade.CommandText = "ALTER TABLE trace_index DROP COLUMN revision; DELETE FROM trace_schema_version WHERE version >= 7;";
            await downgrade.ExecuteNonQueryAsync();
        }

        var upgraded = OpenAnotherStore();
        var before = await upgraded.GetTraceAsync(TestSpans.TraceId(1));
        await upgraded.AddSpansAsync([TestSpans.Make(1, 3, parent: 1)]);
        var after = await upgraded.GetTraceAsync(TestSpans.TraceId(1));

        Assert.Equal(2, before!.Spans.Count);
        Assert.Equal(3, after!.Spans.Count);
        Assert.Same(after, await upgraded.GetTraceAsync(TestSpans.TraceId(1)));
    }

    protected override Task<RelationalTraceStore> CreateStoreAsync() =>
        Task.FromResult<RelationalTraceStore>(OpenAnotherStore());

    protected override RelationalTraceStore OpenAnotherStore(int traceCacheSpans = StorageOptions.DefaultTraceCacheSpans) =>
        new SqliteTraceStore(SqliteTraceStore.ConnectionStringForFile(DatabasePath)) { TraceCacheSpans = traceCacheSpans };

    protected override Task DisposeStoreAsync(RelationalTraceStore store) => Task.CompletedTask;
}
