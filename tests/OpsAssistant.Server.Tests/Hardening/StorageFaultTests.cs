using System.Net;
using System.Net.Http.Headers;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using NSubstitute;
using NSubstitute.ExceptionExtensions;
using OpsAssistant.Core.Formats;
using OpsAssistant.Core.Model;
using OpsAssistant.Core.Sources;
using OpsAssistant.Infrastructure.Storage;

namespace OpsAssistant.Server.Tests.Hardening;

/// <summary>
/// The embedded SQLite store under a writer holding its lock and with the disk full (simulated by capping the file with
/// <c>PRAGMA max_page_count</c>): ingest answers a clear 503/507 problem or waits its turn, reads keep working, and a
/// refused export leaves nothing half-written.
/// </summary>
public sealed class StorageFaultTests : IDisposable
{
    private const string StoredTrace = "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1";
    private const string BigTrace = "b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2";
    private readonly OpsAssistantHost _host = new();

    public void Dispose() => _host.Dispose();

    [Fact]
    public async Task Ingest_DiskFull_Is507ProblemReadsStillWorkAndNothingIsHalfWritten()
    {
        using var client = _host.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await IngestAsync(client, Spans(StoredTrace, 5, 64))).StatusCode);
        var store = (SqliteDatabase)_host.Services.GetRequiredService<RelationalDatabase>();
        store.ExtraPragmas = $"PRAGMA max_page_count = {await PageCountAsync(store.DatabasePath) + 2};";

        using var full = await IngestAsync(client, Spans(BigTrace, 2000, 2048));

        await TracesApiTests.AssertProblemAsync(full, HttpStatusCode.InsufficientStorage, "out of space");
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri($"api/traces/{StoredTrace}", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync(new Uri($"api/traces/{BigTrace}", UriKind.Relative))).StatusCode);
        Assert.DoesNotContain(BigTrace, await client.GetStringAsync(new Uri("api/traces?limit=50", UriKind.Relative)), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("readyz", UriKind.Relative))).StatusCode);

        // Space freed: the exporter's resend of the same batch is stored whole.
        store.ExtraPragmas = "PRAGMA max_page_count = 1073741823;";
        Assert.Equal(HttpStatusCode.OK, (await IngestAsync(client, Spans(BigTrace, 2000, 2048))).StatusCode);
        var stored = await TraceReader.ReadAsync(await client.GetStreamAsync(new Uri($"api/traces/{BigTrace}", UriKind.Relative)));
        Assert.Equal(2000, Assert.Single(stored.Traces).Spans.Count);
    }

    [Fact]
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA2025:Do not pass 'IDisposable' instances into unawaited tasks", Justification = "The ingest is awaited before the method's using scope disposes the client.")]
    public async Task Ingest_WhileAnotherConnectionHoldsTheWriteLock_WaitsItsTurnAndLosesNothingWhileReadsGoOn()
    {
        using var client = _host.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await IngestAsync(client, Spans(StoredTrace, 5, 64))).StatusCode);
        var store = (SqliteDatabase)_host.Services.GetRequiredService<RelationalDatabase>();

        await using var blocker = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = store.DatabasePath, Pooling = false }.ToString());
        await blocker.OpenAsync();
        await using (var begin = blocker.CreateCommand())
        {
            begin.CommandText = "BEGIN IMMEDIATE;";
            await begin.ExecuteNonQueryAsync();
        }

        var ingest = IngestAsync(client, Spans(BigTrace, 50, 64));

        // Readers are not blocked by the writer (WAL), whatever the ingest is doing meanwhile.
        await Task.Delay(200);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri($"api/traces/{StoredTrace}", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("api/traces?limit=5", UriKind.Relative))).StatusCode);

        await using (var rollback = blocker.CreateCommand())
        {
            rollback.CommandText = "ROLLBACK;";
            await rollback.ExecuteNonQueryAsync();
        }

        using var accepted = await ingest;
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        var stored = await TraceReader.ReadAsync(await client.GetStreamAsync(new Uri($"api/traces/{BigTrace}", UriKind.Relative)));
        Assert.Equal(50, Assert.Single(stored.Traces).Spans.Count);
    }

    /// <summary>Past the busy timeout SQLite gives up with SQLITE_BUSY; full is SQLITE_FULL. Both are named problems, on ingest and elsewhere.</summary>
    [Theory]
    [InlineData(5, HttpStatusCode.ServiceUnavailable)]
    [InlineData(6, HttpStatusCode.ServiceUnavailable)]
    [InlineData(13, HttpStatusCode.InsufficientStorage)]
    public async Task StoreFailure_IsANamedStatusNotA500(int sqliteCode, HttpStatusCode status)
    {
        var store = Substitute.For<ITraceStore>();
        store.AddSpansAsync(Arg.Any<IReadOnlyCollection<Span>>(), Arg.Any<CancellationToken>()).ThrowsAsync(new SqliteException("SQLite error", sqliteCode));
        store.SearchAsync(Arg.Any<TraceQuery>(), Arg.Any<CancellationToken>()).ThrowsAsync(new SqliteException("SQLite error", sqliteCode));
        using var host = new OpsAssistantHost(services: s => s.AddSingleton(store));
        using var client = host.CreateClient();

        using var ingest = await IngestAsync(client, Spans(StoredTrace, 3, 16));
        using var search = await client.GetAsync(new Uri("api/traces", UriKind.Relative));

        await TracesApiTests.AssertProblemAsync(ingest, status, "nothing of this export was stored");
        if (status == HttpStatusCode.ServiceUnavailable)
        {
            Assert.NotNull(ingest.Headers.RetryAfter);
        }

        Assert.Equal(status, search.StatusCode);
        Assert.DoesNotContain("SQLite error", await search.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static async Task<HttpResponseMessage> IngestAsync(HttpClient client, IReadOnlyList<Span> spans)
    {
        using var content = new ByteArrayContent(OtlpJsonWriter.ToUtf8Bytes(spans));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return await client.PostAsync(new Uri("v1/traces", UriKind.Relative), content);
    }

    private static List<Span> Spans(string traceId, int count, int attributeBytes)
    {
        var resource = new Resource("svc");
        const long t0 = 1_764_000_000_000_000_000;
        return [.. Enumerable.Range(0, count).Select(i => new Span
        {
            TraceId = traceId,
            SpanId = (i + 1).ToString("x16", System.Globalization.CultureInfo.InvariantCulture),
            ParentSpanId = i == 0 ? null : "0000000000000001",
            Name = "op-" + (i % 7),
            StartUnixNano = t0 + i * 1000L,
            EndUnixNano = t0 + i * 1000L + 500,
            Resource = resource,
            Attributes = [new Core.Model.Attribute("payload", new string((char)('a' + i % 26), attributeBytes))],
        })];
    }

    private static async Task<long> PageCountAsync(string path)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA page_count;";
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
