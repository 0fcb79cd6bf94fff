using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpsAssistant.Core.Analyses;
using OpsAssistant.Core.Analysis;
using OpsAssistant.Core.Engine;
using OpsAssistant.Core.Formats;
using OpsAssistant.Core.Results;
using OpsAssistant.Core.Sources;
using OpsAssistant.Infrastructure.Llm;
using OpsAssistant.Infrastructure.Storage;
using Span = OpsAssistant.Core.Model.Span;
using Trace = OpsAssistant.Core.Model.Trace;

namespace OpsAssistant.Benchmarks;

/// <summary>
/// <c>service-phases [spans] [iterations] [phase]</c>: where one <c>POST /api/analyses</c> spends its time. Builds the Server's own
/// container (<c>AddOpsAssistant</c>, a temporary SQLite store, no LLM), ingests a generated trace, then times each step
/// the endpoint runs — the store read (with the bare SQL row read beside it), the engine as composed by DI (heuristic
/// analysis plus the prompt it would send), the analysis save and the response JSON — warm, median of N, with the bytes
/// each allocates. The sub-steps of the store read and of the engine are timed on their own too; a third argument runs only
/// the phases whose name contains it. A profiling aid, not a test.
/// </summary>
internal static class ServicePhasesCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        var spans = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10_000;
        var iterations = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 15;
        var only = args.Length > 2 ? args[2] : null; // run only the phases whose name contains this (for a profiler)
        var directory = Directory.CreateTempSubdirectory("opsassistant-phases-").FullName;
        var database = Path.Combine(directory, "phases.db");
        try
        {
            var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production", ContentRootPath = directory });
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["OpsAssistant:Storage:Path"] = database,
                ["OpsAssistant:SeedSamples"] = "false",
                ["OpsAssistant:Ingest:GrpcUrl"] = "",

                // The phases time a request's work on a trace read afresh; a reused (unchanged) trace is timed beside them.
                ["OpsAssistant:Storage:TraceCacheSpans"] = "0",
            });
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            builder.AddOpsAssistant();
            await using var app = builder.Build();
            var services = app.Services;
            var store = services.GetRequiredService<ITraceStore>();
            var analyses = services.GetRequiredService<IAnalysisStore>();
            var engine = services.GetRequiredService<IRootCauseEngine>();
            var heuristic = services.GetRequiredKeyedService<IRootCauseEngine>(EngineKeys.Heuristic);
            var prompts = services.GetRequiredService<IRcaPromptBuilder>();
            var responseJson = services.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;

            var bytes = LargeTraceGenerator.Generate(spans);
            await store.AddSpansAsync(TraceReader.Read(bytes).Traces[0].Spans);
            var traceId = LargeTraceGenerator.TraceId;
            var trace = (await store.GetTraceAsync(traceId))!;
            var result = await engine.AnalyzeAsync(Fresh(trace));
            var heuristicResult = await heuristic.AnalyzeAsync(trace);
            var rows = await ReadRowsAsync(database, traceId);

            // A store with the trace cache on (the service's default), over the same file.
            await using var reusingDatabase = new SqliteDatabase(SqliteDatabase.ConnectionStringForFile(database));
            var reusing = new TraceRepository(reusingDatabase);
            await reusing.GetTraceAsync(traceId);

            // Each engine stage gets a new Trace object over the same spans: the analysis cache is keyed by the object, and
            // a request's trace is always a new one, so reusing it would time a cache hit the endpoint never gets.
            var stages = new List<(string Name, Func<Task<object?>> Run)>
            {
                ("store.GetTraceAsync", async () => trace = (await store.GetTraceAsync(traceId))!),
                ("  SQL rows only (no decode)", async () => await ReadRowsAsync(database, traceId)),
                ("  unchanged trace, reused (trace cache on)", async () => await reusing.GetTraceAsync(traceId)),
                ("  payload decode only", () => Task.FromResult<object?>(DecodeAll(rows))),
                ("engine.AnalyzeAsync (as composed)", async () => result = await engine.AnalyzeAsync(Fresh(trace))),
                ("  heuristic engine", async () => heuristicResult = await heuristic.AnalyzeAsync(Fresh(trace))),
                ("  prompt build (analysis cached)", async () => await prompts.BuildAsync(trace, heuristicResult)),
                ("analyses.SaveAsync", async () =>
                {
                    await SaveAsync(result);
                    return null;
                }),
                ("response JSON", () => Task.FromResult<object?>(JsonSerializer.SerializeToUtf8Bytes(result, responseJson))),
            };

            // The endpoint's work without HTTP: read, analyse, save, serialise.
            async Task RequestAsync() => await RequestFromAsync(store);

            async Task RequestFromAsync(ITraceStore source)
            {
                var read = (await source.GetTraceAsync(traceId))!;
                var analysed = await engine.AnalyzeAsync(read);
                await SaveAsync(analysed);
                JsonSerializer.SerializeToUtf8Bytes(analysed, responseJson);
            }

            Task SaveAsync(AnalysisResult analysed) => analyses.SaveAsync(new AnalysisRecord
            {
                Id = Guid.NewGuid().ToString("n"),
                TraceId = analysed.TraceId,
                Status = AnalysisStatus.Done,
                Origin = "api",
                Source = store.Name,
                CreatedAt = DateTimeOffset.UtcNow,
                CompletedAt = DateTimeOffset.UtcNow,
                Result = analysed,
            });

            // Warm-up: the tiered JIT promotes a method after 30 calls and compiles it in the background, so without this the
            // first stages would be timed partly in unoptimised code (the analysis measured 35 ms, then 6 ms).
            for (var i = 0; i < 40; i++)
            {
                await RequestAsync();
            }

            await Task.Delay(500);

            var total = 0.0;
            var megabytes = Directory.EnumerateFiles(directory).Sum(f => new FileInfo(f).Length) / 1048576.0;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{spans:N0} spans in SQLite ({megabytes:0.0} MB with its WAL), {Environment.ProcessorCount} cores, median of {iterations} warm runs"));
            Console.WriteLine("| phase | ms | CPU ms | allocated MB | GCs gen0/1/2 |");
            Console.WriteLine("|---|---:|---:|---:|---|");
            foreach (var (name, run) in stages.Where(s => only is null || s.Name.Contains(only, StringComparison.OrdinalIgnoreCase)))
            {
                await run();
                var times = new double[iterations];
                var cpu = new double[iterations];
                long allocated = 0;
                var collections = new int[3];
                for (var k = 0; k < iterations; k++)
                {
                    // The allocation figure is the whole process's (async continuations may hop threads).
                    var before = GC.GetTotalAllocatedBytes(precise: true);
                    for (var g = 0; g < 3; g++)
                    {
                        collections[g] = GC.CollectionCount(g);
                    }

                    // Process CPU (every thread, the GC's included) is what bounds req/s on a busy box; wall time moves with neighbours.
                    var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
                    var watch = Stopwatch.StartNew();
                    await run();
                    times[k] = watch.Elapsed.TotalMilliseconds;
                    cpu[k] = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalMilliseconds;
                    allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
                    for (var g = 0; g < 3; g++)
                    {
                        collections[g] = GC.CollectionCount(g) - collections[g];
                    }
                }

                Array.Sort(times);
                Array.Sort(cpu);
                var median = times[iterations / 2];
                if (!name.StartsWith(' '))
                {
                    total += median;
                }

                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {median:0.0} | {cpu[iterations / 2]:0} | {allocated / 1048576.0:0.0} | {collections[0]}/{collections[1]}/{collections[2]} |"));
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| **sum of the endpoint's phases** | {total:0.0} | | | |"));
            if (only is not null)
            {
                return 0;
            }

            // What a trace kept by the cache holds on to: the spans as the store reads them, and the analysis cached with them.
            var heapBefore = GC.GetTotalMemory(forceFullCollection: true);
            var kept = (await store.GetTraceAsync(traceId))!;
            var heapRead = GC.GetTotalMemory(forceFullCollection: true);
            await heuristic.AnalyzeAsync(kept);
            var heapAnalysed = GC.GetTotalMemory(forceFullCollection: true);
            Console.WriteLine();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"one {kept.Spans.Count:N0}-span trace read from the store keeps {(heapRead - heapBefore) / 1048576.0:0.0} MB live, {(heapAnalysed - heapBefore) / 1048576.0:0.0} MB with its analysis"));
            GC.KeepAlive(kept);

            // The same work from 8 concurrent callers, as the load command drives it: concurrency adds GC and cache pressure
            // that one caller at a time never sees. Then again through the store that reuses the unchanged trace.
            const int Workers = 8;
            var requests = Math.Max(Workers * 2, iterations * 2);
            foreach (var (label, source) in new[] { ("trace read afresh", store), ("unchanged trace reused", (ITraceStore)reusing) })
            {
                var gen2 = GC.CollectionCount(2);
                var cpuStart = Process.GetCurrentProcess().TotalProcessorTime;
                var wall = Stopwatch.StartNew();
                var next = -1;
                await Task.WhenAll(Enumerable.Range(0, Workers).Select(_ => Task.Run(async () =>
                {
                    while (Interlocked.Increment(ref next) < requests)
                    {
                        await RequestFromAsync(source);
                    }
                })));
                var cpuPerRequest = (Process.GetCurrentProcess().TotalProcessorTime - cpuStart).TotalMilliseconds / requests;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{Workers} concurrent callers, {requests} requests without HTTP, {label}: {requests / wall.Elapsed.TotalSeconds:0.0} req/s, {cpuPerRequest:0} CPU ms per request, {GC.CollectionCount(2) - gen2} gen2 GCs"));
            }

            return 0;
        }
        finally
        {
            SqliteConnection.ClearAllPools();
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

    private static Trace Fresh(Trace trace) => new(trace.TraceId, trace.Spans, trace.Format, trace.Warnings);

    /// <summary>The chunks as the store reads them, decoded into spans the way <c>GetTraceAsync</c> does.</summary>
    private static int DecodeAll((string TraceId, List<byte[]> Chunks) rows)
    {
        var decoder = new SpanPayloadDecoder();
        var spans = new List<Span>();
        foreach (var chunk in rows.Chunks)
        {
            decoder.DecodeChunk(rows.TraceId, chunk, spans);
        }

        return spans.Count;
    }

    /// <summary>
    /// The store's chunk query with every payload read and nothing decoded, on a pooled connection of its own (a connection
    /// string that differs from the store's only in naming the default private cache, so the two never share a connection).
    /// </summary>
    private static async Task<(string TraceId, List<byte[]> Chunks)> ReadRowsAsync(string database, string traceId)
    {
        var separate = new SqliteConnectionStringBuilder(SqliteDatabase.ConnectionStringForFile(database)) { Cache = SqliteCacheMode.Private };
        await using var connection = new SqliteConnection(separate.ToString());
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT payload FROM trace_chunks WHERE trace_id = @trace_id ORDER BY chunk_id";
        command.Parameters.AddWithValue("@trace_id", traceId);
        await using var reader = await command.ExecuteReaderAsync();
        var chunks = new List<byte[]>();
        while (await reader.ReadAsync())
        {
            chunks.Add((byte[])reader.GetValue(0));
        }

        return (traceId, chunks);
    }
}
