using OpsAssistant.Core.Sources;
using OpsAssistant.Infrastructure.Storage;

namespace OpsAssistant.Infrastructure.Tests.Storage;

/// <summary>The repository contract on a temporary SQLite file.</summary>
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
        await Store.Database.InitializeAsync();

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
        // A database as schema 6 left it: a row per span in trace_spans, trace_index without the revision and root columns.
        await Store.Database.InitializeAsync();
        var root = TestSpans.Make(1, 1, service: "frontend", name: "GET /", durationMs: 50);
        var child = TestSpans.Make(1, 2, parent: 1, service: "checkout", name: "PlaceOrder", start: TimeSpan.FromMilliseconds(5), error: true);
        await using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={DatabasePath}"))
        {
            await connection.OpenAsync();
            await using var downgrade = connection.CreateCommand();
            downgrade.CommandText = """
                DROP TABLE trace_chunks; DROP TABLE trace_operations;
                ALTER TABLE trace_index DROP COLUMN revision; ALTER TABLE trace_index DROP COLUMN root_rank; ALTER TABLE trace_index DROP COLUMN root_start_ns;
                CREATE INDEX ix_trace_spans_service_name ON trace_spans (service, name, trace_id);
                CREATE INDEX ix_trace_spans_name ON trace_spans (name, trace_id);
                DELETE FROM trace_schema_version WHERE version >= 7;
                INSERT INTO trace_index (trace_id, start_ns, end_ns, span_count, error_count, root_service, root_name) VALUES (@t, @b, @e, 2, 1, 'frontend', 'GET /');
                """;
            downgrade.Parameters.AddWithValue("@t", root.TraceId);
            downgrade.Parameters.AddWithValue("@b", root.StartUnixNano);
            downgrade.Parameters.AddWithValue("@e", root.EndUnixNano);
            await downgrade.ExecuteNonQueryAsync();
            foreach (var span in new[] { root, child })
            {
                await using var insert = connection.CreateCommand();
                insert.CommandText = """
                    INSERT INTO trace_spans (trace_id, span_id, parent_span_id, service, name, start_ns, end_ns, is_error, payload)
                    VALUES (@t, @s, @p, @v, @n, @b, @e, @x, @d)
                    """;
                insert.Parameters.AddWithValue("@t", span.TraceId);
                insert.Parameters.AddWithValue("@s", span.SpanId);
                insert.Parameters.AddWithValue("@p", (object?)span.ParentSpanId ?? DBNull.Value);
                insert.Parameters.AddWithValue("@v", span.ServiceName);
                insert.Parameters.AddWithValue("@n", span.Name);
                insert.Parameters.AddWithValue("@b", span.StartUnixNano);
                insert.Parameters.AddWithValue("@e", span.EndUnixNano);
                insert.Parameters.AddWithValue("@x", span.IsError ? 1 : 0);
                insert.Parameters.AddWithValue("@d", SpanPayloadCodec.Encode(span));
                await insert.ExecuteNonQueryAsync();
            }
        }

        var upgraded = OpenAnotherStore();
        var before = await upgraded.Traces.GetTraceAsync(TestSpans.TraceId(1));
        var byService = await upgraded.Traces.SearchAsync(new TraceQuery { Service = "checkout", Operation = "PlaceOrder" });
        // Span 2 again (an exporter's retry, no longer an error) and a new span 3, both after the upgrade.
        await upgraded.Traces.AddSpansAsync([TestSpans.Make(1, 2, parent: 1, service: "checkout", name: "PlaceOrder", start: TimeSpan.FromMilliseconds(5)), TestSpans.Make(1, 3, parent: 2, service: "payment", name: "Charge", start: TimeSpan.FromMilliseconds(7))]);
        var after = await upgraded.Traces.GetTraceAsync(TestSpans.TraceId(1));
        var summary = Assert.Single(await upgraded.Traces.SearchAsync(new TraceQuery()));

        Assert.Equal([TestSpans.SpanId(1), TestSpans.SpanId(2)], before!.Spans.Select(s => s.SpanId));
        Assert.True(before.Spans[1].IsError);
        Assert.Equal(TestSpans.SpanId(1), before.Spans[1].ParentSpanId);
        Assert.Equal(TestSpans.TraceId(1), Assert.Single(byService).TraceId);
        Assert.Equal(["checkout", "frontend"], byService[0].Services.Order(StringComparer.Ordinal));
        Assert.Equal([TestSpans.SpanId(1), TestSpans.SpanId(2), TestSpans.SpanId(3)], after!.Spans.Select(s => s.SpanId));
        Assert.False(after.Spans[1].IsError);
        Assert.Equal(3, summary.SpanCount);
        Assert.Equal(0, summary.ErrorCount);
        Assert.Equal("GET /", summary.RootOperation);
        Assert.Same(after, await upgraded.Traces.GetTraceAsync(TestSpans.TraceId(1)));
    }

    protected override Task<RelationalDatabase> CreateDatabaseAsync() => Task.FromResult(OpenAnotherDatabase());

    protected override RelationalDatabase OpenAnotherDatabase() => new SqliteDatabase(SqliteDatabase.ConnectionStringForFile(DatabasePath));

    protected override Task DisposeDatabaseAsync(RelationalDatabase database) => database.DisposeAsync().AsTask();
}
