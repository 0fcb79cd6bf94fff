using System.Data;
using OpsAssistant.Core.Model;
using OpsAssistant.Core.Sources;
using OpsAssistant.Infrastructure.Storage;

namespace OpsAssistant.Infrastructure.Tests.Storage;

/// <summary>
/// A trace arrives in pieces (one chunk per trace per request): it reads back whole and in start order, its summary adds
/// up every piece, and a span sent again (an exporter's retry) is read and counted once, its last copy winning.
/// </summary>
public abstract partial class TraceStoreContract
{
    [Fact]
    public async Task AddSpans_TraceOverSeveralRequests_ReadsBackInStartOrderAndSummarisesEveryRequest()
    {
        var ms = TimeSpan.FromMilliseconds(1);
        await Store.Traces.AddSpansAsync(
        [
            TestSpans.Make(1, 3, parent: 2, service: "checkout", name: "Charge", start: 30 * ms, error: true),
            TestSpans.Make(1, 4, parent: 2, service: "checkout", name: "Reserve", start: 10 * ms),
        ]);
        await Store.Traces.AddSpansAsync([TestSpans.Make(1, 2, parent: 1, service: "cart", name: "Checkout", start: 5 * ms, durationMs: 100)]);
        await Store.Traces.AddSpansAsync([TestSpans.Make(1, 1, service: "frontend", name: "GET /", durationMs: 200)]);

        var trace = await Store.Traces.GetTraceAsync(TestSpans.TraceId(1));
        var summary = Assert.Single(await Store.Traces.SearchAsync(new TraceQuery()));

        Assert.Equal([TestSpans.SpanId(1), TestSpans.SpanId(2), TestSpans.SpanId(4), TestSpans.SpanId(3)], trace!.Spans.Select(s => s.SpanId));
        Assert.Equal(TestSpans.SpanId(2), trace.Spans[3].ParentSpanId);
        Assert.Equal(4, summary.SpanCount);
        Assert.Equal(1, summary.ErrorCount);
        Assert.Equal("frontend", summary.RootService);
        Assert.Equal("GET /", summary.RootOperation);
        Assert.Equal(TestSpans.BaseTime, summary.Start);
        Assert.Equal(200, summary.DurationMs, 3);
        Assert.Equal(["cart", "checkout", "frontend"], summary.Services.Order(StringComparer.Ordinal));
        Assert.Single(await Store.Traces.SearchAsync(new TraceQuery { Service = "checkout", Operation = "Reserve" }));
        Assert.Single(await Store.Traces.SearchAsync(new TraceQuery { Operation = "Checkout" }));
        Assert.Empty(await Store.Traces.SearchAsync(new TraceQuery { Service = "cart", Operation = "Charge" }));
    }

    [Fact]
    public async Task AddSpans_TraceWithoutItsRootYet_SummarisesTheEarliestSpanWhoseParentIsMissing()
    {
        await Store.Traces.AddSpansAsync(
        [
            TestSpans.Make(1, 3, parent: 2, service: "payment", name: "Charge", start: TimeSpan.FromMilliseconds(20)),
            TestSpans.Make(1, 2, parent: 1, service: "checkout", name: "PlaceOrder", start: TimeSpan.FromMilliseconds(10)),
        ]);

        var summary = Assert.Single(await Store.Traces.SearchAsync(new TraceQuery()));

        Assert.Equal("checkout", summary.RootService);
        Assert.Equal("PlaceOrder", summary.RootOperation);
    }

    [Fact]
    public async Task AddSpans_SpansResentInLaterRequests_ReadOnceAsTheirLastCopyAndCountOnce()
    {
        await Store.Traces.AddSpansAsync([TestSpans.Make(1, 1), TestSpans.Make(1, 2, parent: 1, error: true), TestSpans.Make(1, 3, parent: 1)]);
        await Store.Traces.AddSpansAsync([TestSpans.Make(1, 2, parent: 1), TestSpans.Make(1, 3, parent: 1, name: "renamed")]);
        await Store.Traces.AddSpansAsync([TestSpans.Make(1, 3, parent: 1, name: "renamed", error: true), TestSpans.Make(1, 4, parent: 1)]);

        var trace = await Store.Traces.GetTraceAsync(TestSpans.TraceId(1));
        var summary = Assert.Single(await Store.Traces.SearchAsync(new TraceQuery()));

        Assert.Equal([TestSpans.SpanId(1), TestSpans.SpanId(2), TestSpans.SpanId(3), TestSpans.SpanId(4)], trace!.Spans.Select(s => s.SpanId));
        Assert.False(trace.Spans[1].IsError);
        Assert.Equal("renamed", trace.Spans[2].Name);
        Assert.True(trace.Spans[2].IsError);
        Assert.Equal(4, summary.SpanCount);
        Assert.Equal(1, summary.ErrorCount);
    }

    [Fact]
    public async Task AddSpans_ConcurrentRequestsResendingOneSpan_CountItOnce()
    {
        var requests = Enumerable.Range(1, 8).Select(n => new[] { TestSpans.Make(5, 1, error: true), TestSpans.Make(5, 10 + n, parent: 1) }).ToList();

        await Task.WhenAll(requests.Select(r => Task.Run(() => Store.Traces.AddSpansAsync(r))));

        var summary = Assert.Single(await Store.Traces.SearchAsync(new TraceQuery()));
        Assert.Equal(9, summary.SpanCount);
        Assert.Equal(1, summary.ErrorCount);
        Assert.Equal(9, (await Store.Traces.GetTraceAsync(TestSpans.TraceId(5)))!.Spans.Count);
    }

    [Fact]
    public async Task GetTrace_SpansInTheOlderSpanTable_ReadWithLaterChunksAndAResentSpanCountsOnce()
    {
        // Rows as a database from before the chunks holds them (the table is still there, read only).
        var root = TestSpans.Make(6, 1, service: "frontend", name: "GET /", durationMs: 50);
        var child = TestSpans.Make(6, 2, parent: 1, name: "PlaceOrder", start: TimeSpan.FromMilliseconds(5), error: true);
        await Store.Database.InitializeAsync();
        await using (var connection = await Store.Database.OpenAsync())
        {
            foreach (var span in new[] { root, child })
            {
                await using var insert = connection.CreateCommand();
                insert.CommandText = """
                    INSERT INTO trace_spans (trace_id, span_id, parent_span_id, service, name, start_ns, end_ns, is_error, payload)
                    VALUES (@t, @s, @p, @v, @n, @b, @e, @x, @d)
                    """;
                Parameter(insert, "t", DbType.String, span.TraceId);
                Parameter(insert, "s", DbType.String, span.SpanId);
                Parameter(insert, "p", DbType.String, (object?)span.ParentSpanId ?? DBNull.Value);
                Parameter(insert, "v", DbType.String, span.ServiceName);
                Parameter(insert, "n", DbType.String, span.Name);
                Parameter(insert, "b", DbType.Int64, span.StartUnixNano);
                Parameter(insert, "e", DbType.Int64, span.EndUnixNano);
                Parameter(insert, "x", DbType.Int16, span.IsError ? (short)1 : (short)0);
                Parameter(insert, "d", DbType.Binary, SpanPayloadCodec.Encode(span));
                await insert.ExecuteNonQueryAsync();
            }

            await using var index = connection.CreateCommand();
            index.CommandText = """
                INSERT INTO trace_index (trace_id, start_ns, end_ns, span_count, error_count, root_service, root_name, root_start_ns)
                VALUES (@t, @b, @e, 2, 1, 'frontend', 'GET /', @b)
                """;
            Parameter(index, "t", DbType.String, root.TraceId);
            Parameter(index, "b", DbType.Int64, root.StartUnixNano);
            Parameter(index, "e", DbType.Int64, root.EndUnixNano);
            await index.ExecuteNonQueryAsync();
        }

        var before = await Store.Traces.GetTraceAsync(TestSpans.TraceId(6));
        await Store.Traces.AddSpansAsync([TestSpans.Make(6, 2, parent: 1, name: "PlaceOrder", start: TimeSpan.FromMilliseconds(5)), TestSpans.Make(6, 3, parent: 2, start: TimeSpan.FromMilliseconds(1))]);
        var after = await Store.Traces.GetTraceAsync(TestSpans.TraceId(6));
        var summary = Assert.Single(await Store.Traces.SearchAsync(new TraceQuery()));

        Assert.Equal([TestSpans.SpanId(1), TestSpans.SpanId(2)], before!.Spans.Select(s => s.SpanId));
        Assert.True(before.Spans[1].IsError);
        Assert.Equal([TestSpans.SpanId(1), TestSpans.SpanId(3), TestSpans.SpanId(2)], after!.Spans.Select(s => s.SpanId));
        Assert.False(after.Spans[2].IsError);
        Assert.Equal(3, summary.SpanCount);
        Assert.Equal(0, summary.ErrorCount);
        Assert.Equal("GET /", summary.RootOperation);
    }

    [Fact]
    public async Task Initialize_DatabaseFromBeforeLz4Chunks_UpgradesReadsOlderChunksAndCompressesNewOnesWithLz4()
    {
        // A database as schema 11 left it: chunk values compressed the server's default way (pglz), version 12 not recorded.
        await Store.Database.InitializeAsync();
        var postgres = Store.Database.Dialect == SqlDialect.Postgres;
        await using (var connection = await Store.Database.OpenAsync())
        {
            await using var downgrade = connection.CreateCommand();
            downgrade.CommandText = (postgres ? "ALTER TABLE trace_chunks ALTER COLUMN payload SET COMPRESSION pglz, ALTER COLUMN span_keys SET COMPRESSION pglz; " : "")
                + "DELETE FROM trace_schema_version WHERE version >= 12";
            await downgrade.ExecuteNonQueryAsync();
        }

        // Enough spans that a chunk's payload passes PostgreSQL's 2 KB threshold and is compressed.
        var ms = TimeSpan.FromMilliseconds(1);
        await Store.Traces.AddSpansAsync([.. Enumerable.Range(1, 60).Select(n => TestSpans.Make(7, n, parent: n == 1 ? null : 1, error: n == 2, start: n * ms))]);
        var upgraded = OpenAnotherStore(traceCacheSpans: 0);
        try
        {
            var before = await upgraded.Traces.GetTraceAsync(TestSpans.TraceId(7));
            // Span 2 again (no longer an error) and span 61, both after the upgrade.
            await upgraded.Traces.AddSpansAsync([.. Enumerable.Range(2, 60).Select(n => TestSpans.Make(7, n, parent: 1, start: n * ms))]);
            var after = await upgraded.Traces.GetTraceAsync(TestSpans.TraceId(7));
            var summary = Assert.Single(await upgraded.Traces.SearchAsync(new TraceQuery()));

            Assert.Equal(60, before!.Spans.Count);
            Assert.True(before.Spans[1].IsError);
            Assert.Equal(61, after!.Spans.Count);
            Assert.False(after.Spans[1].IsError);
            Assert.Equal(TestSpans.SpanId(61), after.Spans[60].SpanId);
            Assert.Equal(61, summary.SpanCount);
            Assert.Equal(0, summary.ErrorCount);
            await using var connection = await upgraded.Database.OpenAsync();
            await using var version = connection.CreateCommand();
            version.CommandText = "SELECT max(version) FROM trace_schema_version";
            Assert.Equal(12L, Convert.ToInt64(await version.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture));
            if (postgres)
            {
                await using var compression = connection.CreateCommand();
                compression.CommandText = "SELECT string_agg(coalesce(pg_column_compression(payload), 'none'), ',' ORDER BY chunk_id) FROM trace_chunks";
                Assert.Equal("pglz,lz4", await compression.ExecuteScalarAsync());
            }
        }
        finally
        {
            await DisposeStoreAsync(upgraded);
        }
    }

    private static void Parameter(System.Data.Common.DbCommand command, string name, DbType type, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.DbType = type;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
