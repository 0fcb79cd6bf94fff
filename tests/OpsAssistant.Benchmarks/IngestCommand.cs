using System.Globalization;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OpsAssistant.Core.Formats;
using OpsAssistant.Core.Model;
using OpsAssistant.Core.Tests.Hardening;
using Attribute = OpsAssistant.Core.Model.Attribute;

namespace OpsAssistant.Benchmarks;

/// <summary>
/// <c>ingest [clients] [requests] [spans-per-request] [sqlite|postgres|both] [protobuf|json|both]</c>: OTLP/HTTP ingest
/// throughput of the real service. Starts the Server's own host on a free loopback port over a fresh store (a temporary
/// SQLite file; PostgreSQL from <c>OPSASSISTANT_TEST_POSTGRES</c> in a schema of its own, dropped afterwards), pre-encodes
/// the requests (each a collector-sized batch of spans from several traces and services, distinct per request), then N
/// concurrent HttpClient clients POST them to <c>/v1/traces</c>, twice per store and format (the first pass unreported). Prints spans/s, request latency and the process's CPU time
/// per 1,000 spans (server and clients together: on a shared machine spans/s moves with the neighbours' load, CPU per span
/// much less) per store and format; for a PostgreSQL cluster on this machine also the cluster's CPU per 1,000 spans spent
/// for this service's connections (<see cref="PostgresServerCpu"/>), so a change that moves work into the database does not read as a saving.
/// </summary>
internal static class IngestCommand
{
    private const int SpansPerTrace = 50;

    private static readonly string[] Services = ["frontend", "checkout", "cart", "payment", "shipping", "inventory", "auth", "search"];

    public static async Task<int> RunAsync(string[] args)
    {
        var clients = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 4;
        var requests = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 200;
        var spansPerRequest = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 1000;
        var stores = args.Length > 3 && args[3] != "both" ? [args[3]] : new[] { "sqlite", "postgres" };
        var formats = args.Length > 4 && args[4] != "both" ? [args[4]] : new[] { "protobuf", "json" };

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"ingest: {clients} clients, {requests} requests of {spansPerRequest:N0} spans each, {Environment.ProcessorCount} cores"));
        Console.WriteLine();
        Console.WriteLine("| store | format | spans | spans/s | requests/s | p50 ms | p99 ms | MB/s | CPU ms per 1k spans | database CPU ms per 1k spans | total CPU ms per 1k spans |");
        Console.WriteLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var store in stores)
        {
            foreach (var format in formats)
            {
                // A service ingests for hours: the reported pass is the second over a fresh store. The first pass in a
                // process still pays for the JIT's later tiers and first-use costs across the stack (2.3x the CPU per
                // span of the second, both after the same warm-up), which no warm-up of a few requests removes.
                _ = await MeasureAsync(store, format, clients, requests, spansPerRequest);
                var result = await MeasureAsync(store, format, clients, requests, spansPerRequest);
                if (result is null)
                {
                    Console.WriteLine($"| {store} | {format} | skipped: set OPSASSISTANT_TEST_POSTGRES | | | | | | | | |");
                    continue;
                }

                var thousands = result.Spans / 1000.0;
                var database = result.DatabaseCpuMs is { } ms ? (ms / thousands).ToString("0.0", CultureInfo.InvariantCulture) : "";
                var total = result.DatabaseCpuMs is { } all ? ((result.CpuMs + all) / thousands).ToString("0.0", CultureInfo.InvariantCulture) : "";
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {store} | {format} | {result.Spans:N0} | {result.Spans / result.Seconds:N0} | {requests / result.Seconds:0.0} | {result.P50:0.0} | {result.P99:0.0} | {result.Bytes / result.Seconds / 1048576.0:0.0} | {result.CpuMs / thousands:0.0} | {database} | {total} |"));
            }
        }

        return 0;
    }

    private static async Task<Result?> MeasureAsync(string store, string format, int clients, int requests, int spansPerRequest)
    {
        var postgres = store == "postgres";
        var baseConnection = Environment.GetEnvironmentVariable("OPSASSISTANT_TEST_POSTGRES");
        if (postgres && string.IsNullOrWhiteSpace(baseConnection))
        {
            return null;
        }

        var directory = Directory.CreateTempSubdirectory("opsassistant-ingest-").FullName;
        var schema = "ingest_bench_" + Guid.NewGuid().ToString("N");
        var settings = new Dictionary<string, string?>
        {
            ["urls"] = "http://127.0.0.1:0",
            ["OpsAssistant:SeedSamples"] = "false",
            ["OpsAssistant:Ingest:GrpcUrl"] = "",
            ["OpsAssistant:Webhooks:RunWorker"] = "false",
        };
        if (postgres)
        {
            await ExecuteAsync(baseConnection!, $"CREATE SCHEMA {schema}");
            settings["OpsAssistant:Storage:Provider"] = "Postgres";
            settings["OpsAssistant:Storage:ConnectionString"] = new NpgsqlConnectionStringBuilder(baseConnection) { SearchPath = schema, ApplicationName = schema }.ToString();
        }
        else
        {
            settings["OpsAssistant:Storage:Path"] = Path.Combine(directory, "ingest.db");
        }

        try
        {
            await using var app = await LoadCommand.StartServiceAsync(directory, settings);
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = clients }) { BaseAddress = new Uri(address), Timeout = TimeSpan.FromMinutes(2) };

            var protobuf = format == "protobuf";
            // The measured requests should run tier-1 code: the JIT promotes a method after 30 calls and a pause in new
            // compilations, so a few warm-up requests left the run paying for its own compilation. All clients first send
            // distinct batches (a body sent twice would take the re-send path), then MeasureAsync its own few.
            var warmUp = Math.Max(40, clients * 10);
            var bodies = Enumerable.Range(0, requests + warmUp).Select(n => Encode(Batch(n, spansPerRequest), protobuf)).ToArray();
            var mediaType = protobuf ? "application/x-protobuf" : "application/json";
            var preWarm = warmUp - Math.Min(clients, 4);
            var warmed = -1;
            await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
            {
                for (var i = Interlocked.Increment(ref warmed); i < preWarm; i = Interlocked.Increment(ref warmed))
                {
                    using var response = await http.SendAsync(Post(bodies[i], mediaType));
                    response.EnsureSuccessStatusCode();
                }
            })));
            var sent = preWarm - 1;
            var server = postgres ? await PostgresServerCpu.FindAsync(baseConnection!, schema) : null;
            var serverBefore = server is null ? 0 : await server.MillisecondsAsync();
            var run = await LoadCommand.MeasureAsync($"{store} {format}", http, clients, requests, () => Post(bodies[Interlocked.Increment(ref sent)], mediaType));
            double? serverMs = server is null ? null : await server.MillisecondsAsync() - serverBefore;
            await app.StopAsync();
            return new Result((long)requests * spansPerRequest, bodies.Skip(warmUp).Sum(b => (long)b.Length), requests / run.PerSecond, run.P50, run.P99, run.CpuMs * requests, serverMs);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            if (postgres)
            {
                NpgsqlConnection.ClearAllPools();
                await ExecuteAsync(baseConnection!, $"DROP SCHEMA IF EXISTS {schema} CASCADE");
            }

            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
                // A temp folder left behind is harmless.
            }
        }
    }

    /// <summary>
    /// Request <paramref name="n"/>: <paramref name="spans"/> spans in traces of <see cref="SpansPerTrace"/>, each trace a
    /// root and its call tree across the services, with the attributes an HTTP or database client span carries.
    /// </summary>
    internal static List<Span> Batch(int n, int spans)
    {
        var resources = Services.Select(s => new Resource(s, [new Attribute("service.name", s), new Attribute("host.name", "node-" + s), new Attribute("service.version", "1.4.2")])).ToArray();
        var scope = new InstrumentationScope("OpenTelemetry.Instrumentation.AspNetCore", "1.9.0");
        var batch = new List<Span>(spans);
        var t0 = 1_764_000_000_000_000_000L + (long)n * 1_000_000_000;
        for (var i = 0; i < spans; i++)
        {
            var trace = i / SpansPerTrace;
            var index = i % SpansPerTrace;
            var start = t0 + index * 1_000_000L;
            batch.Add(new Span
            {
                TraceId = string.Create(CultureInfo.InvariantCulture, $"{n + 1:x16}{trace + 1:x16}"),
                SpanId = string.Create(CultureInfo.InvariantCulture, $"{n + 1:x8}{i + 1:x8}"),
                ParentSpanId = index == 0 ? null : string.Create(CultureInfo.InvariantCulture, $"{n + 1:x8}{i - index + 1 + (index - 1) / 4:x8}"),
                Name = index == 0 ? "GET /api/orders" : "SELECT orders",
                Kind = index == 0 ? SpanKind.Server : SpanKind.Client,
                StartUnixNano = start,
                EndUnixNano = start + 800_000 + index * 1_000L,
                Status = index % 17 == 3 ? SpanStatusCode.Error : SpanStatusCode.Unset,
                Resource = resources[(trace + index) % resources.Length],
                Scope = scope,
                Attributes =
                [
                    new Attribute("http.request.method", "GET"),
                    new Attribute("url.path", "/api/orders/" + index.ToString(CultureInfo.InvariantCulture)),
                    new Attribute("http.response.status_code", index % 17 == 3 ? 500L : 200L),
                    new Attribute("db.system", "postgresql"),
                    new Attribute("server.address", "orders-db"),
                ],
            });
        }

        return batch;
    }

    internal static byte[] Encode(List<Span> spans, bool protobuf) =>
        protobuf ? OtlpProtobufEncoder.Encode(new OpsAssistant.Core.Model.Trace(spans[0].TraceId, spans)) : OtlpJsonWriter.ToUtf8Bytes(spans);

    private static HttpRequestMessage Post(byte[] body, string mediaType)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        return new HttpRequestMessage(HttpMethod.Post, "/v1/traces") { Content = content };
    }

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA2100:Review SQL queries for security vulnerabilities", Justification = "The schema name is generated here (a fixed prefix and a GUID).")]
    internal static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private sealed record Result(long Spans, long Bytes, double Seconds, double P50, double P99, double CpuMs, double? DatabaseCpuMs);
}
