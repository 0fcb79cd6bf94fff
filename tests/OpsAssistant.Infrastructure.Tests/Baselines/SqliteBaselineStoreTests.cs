using OpsAssistant.Infrastructure.Storage;

namespace OpsAssistant.Infrastructure.Tests.Baselines;

/// <summary>The baseline tables on a temporary SQLite file.</summary>
public sealed class SqliteBaselineStoreTests : BaselineStoreContract, IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("opsassistant-baselines-").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    protected override Task<RelationalTraceStore> CreateTraceStoreAsync() =>
        Task.FromResult<RelationalTraceStore>(new SqliteTraceStore(SqliteTraceStore.ConnectionStringForFile(Path.Combine(_directory, "traces.db"))));

    protected override Task DisposeTraceStoreAsync(RelationalTraceStore store) => Task.CompletedTask;
}
