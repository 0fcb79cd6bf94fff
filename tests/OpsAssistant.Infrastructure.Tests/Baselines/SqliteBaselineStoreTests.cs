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

    protected override Task<RelationalDatabase> CreateTraceStoreAsync() =>
        Task.FromResult<RelationalDatabase>(new SqliteDatabase(SqliteDatabase.ConnectionStringForFile(Path.Combine(_directory, "traces.db"))));

    protected override Task DisposeTraceStoreAsync(RelationalDatabase store) => Task.CompletedTask;
}
