using Npgsql;
using OpsAssistant.Infrastructure.Storage;
using OpsAssistant.Tests;

namespace OpsAssistant.Infrastructure.Tests.Storage;

/// <summary>
/// The store contract on PostgreSQL, from <c>OPSASSISTANT_TEST_POSTGRES</c>. Each test gets its own schema, dropped
/// afterwards, so tests and parallel runs never see each other's rows. Without the variable the tests are skipped with
/// the reason, except on CI (<c>CI=true</c>), where a missing database is a failure.
/// </summary>
public sealed class PostgresTraceStoreTests : TraceStoreContract
{

    private readonly string _schema = "store_test_" + Guid.NewGuid().ToString("N");
    private string? _connectionString;

    protected override async Task<RelationalTraceStore> CreateStoreAsync()
    {
        var baseConnection = TestDependencies.PostgresConnectionString();

        await using (var admin = new NpgsqlConnection(baseConnection))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE SCHEMA {_schema}", admin);
            await create.ExecuteNonQueryAsync();
        }

        _connectionString = new NpgsqlConnectionStringBuilder(baseConnection) { SearchPath = _schema }.ToString();
        return OpenAnotherStore();
    }

    protected override RelationalTraceStore OpenAnotherStore(int traceCacheSpans = StorageOptions.DefaultTraceCacheSpans) =>
        new PostgresTraceStore(_connectionString!) { TraceCacheSpans = traceCacheSpans };

    protected override async Task DisposeStoreAsync(RelationalTraceStore store)
    {
        await ((PostgresTraceStore)store).DisposeAsync();
        if (ReferenceEquals(store, Store))
        {
            await using var admin = new NpgsqlConnection(TestDependencies.PostgresConnectionString());
            await admin.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP SCHEMA IF EXISTS {_schema} CASCADE", admin);
            await drop.ExecuteNonQueryAsync();
        }
    }
}
