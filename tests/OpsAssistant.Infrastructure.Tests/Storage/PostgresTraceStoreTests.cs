using Npgsql;
using OpsAssistant.Infrastructure.Storage;
using Xunit.Abstractions;

namespace OpsAssistant.Infrastructure.Tests.Storage;

/// <summary>
/// The store contract on PostgreSQL, from <c>OPSASSISTANT_TEST_POSTGRES</c>. Each test gets its own schema, dropped
/// afterwards, so tests and parallel runs never see each other's rows. Without the variable the tests say so and pass,
/// except on CI (<c>CI=true</c>), where a missing database is a failure.
/// </summary>
public sealed class PostgresTraceStoreTests(ITestOutputHelper output) : TraceStoreContract
{
    public const string ConnectionVariable = "OPSASSISTANT_TEST_POSTGRES";

    private readonly string _schema = "store_test_" + Guid.NewGuid().ToString("N");
    private string? _connectionString;

    protected override async Task<RelationalTraceStore?> CreateStoreAsync()
    {
        var baseConnection = Environment.GetEnvironmentVariable(ConnectionVariable);
        if (string.IsNullOrWhiteSpace(baseConnection))
        {
            if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException($"{ConnectionVariable} is not set on CI: the PostgreSQL store tests cannot run.");
            }

            output.WriteLine($"SKIPPED: {ConnectionVariable} is not set, so the PostgreSQL store contract did not run.");
            return null;
        }

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
            await using var admin = new NpgsqlConnection(Environment.GetEnvironmentVariable(ConnectionVariable));
            await admin.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP SCHEMA IF EXISTS {_schema} CASCADE", admin);
            await drop.ExecuteNonQueryAsync();
        }
    }
}
