using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Npgsql;
using OpsAssistant.Core.Formats;
using OpsAssistant.Infrastructure.Storage;

namespace OpsAssistant.Benchmarks;

/// <summary>
/// <c>store-read [spans] [iterations] [sqlite|postgres|both]</c>: the first read of a stored trace, as a caller meets it when
/// the trace cache does not hold it. Stores one <see cref="LargeTraceGenerator"/> trace (SQLite in a temporary file;
/// PostgreSQL from <c>OPSASSISTANT_TEST_POSTGRES</c> in a schema of its own, dropped afterwards), then reads it through a
/// <see cref="TraceRepository"/> with <c>TraceCacheSpans = 0</c>, so every read decodes every row. Warm (JIT settled),
/// median of N: wall time, process CPU, the PostgreSQL cluster's CPU when it runs on this machine
/// (<see cref="PostgresServerCpu"/>) and the bytes each read allocates.
/// </summary>
internal static class StoreReadCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        var spans = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10_000;
        var iterations = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 31;
        var which = args.Length > 2 ? args[2] : "both";
        var bytes = LargeTraceGenerator.Generate(spans);
        var generated = TraceReader.Read(bytes).Traces[0].Spans;

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"first read of a stored {spans:N0}-span trace, trace cache off, {Environment.ProcessorCount} cores, median of {iterations} warm reads"));
        Console.WriteLine("| store | ms (p50) | ms (min) | CPU ms (p50) | database CPU ms (mean) | allocated MB per read |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|");
        foreach (var store in which == "both" ? ["sqlite", "postgres"] : new[] { which })
        {
            var postgres = store == "postgres";
            var baseConnection = Environment.GetEnvironmentVariable("OPSASSISTANT_TEST_POSTGRES");
            if (postgres && string.IsNullOrWhiteSpace(baseConnection))
            {
                Console.WriteLine("| postgres | skipped: set OPSASSISTANT_TEST_POSTGRES | | | | |");
                continue;
            }

            var directory = Directory.CreateTempSubdirectory("opsassistant-store-read-").FullName;
            var schema = "store_read_bench_" + Guid.NewGuid().ToString("N");
            try
            {
                RelationalDatabase database;
                if (postgres)
                {
                    await IngestCommand.ExecuteAsync(baseConnection!, $"CREATE SCHEMA {schema}");
                    database = new PostgresDatabase(new NpgsqlConnectionStringBuilder(baseConnection) { SearchPath = schema, ApplicationName = schema }.ToString());
                }
                else
                {
                    database = new SqliteDatabase(SqliteDatabase.ConnectionStringForFile(Path.Combine(directory, "read.db")));
                }

                await using (database)
                {
                    await database.InitializeAsync();
                    var repository = new TraceRepository(database) { TraceCacheSpans = 0 };
                    await repository.AddSpansAsync(generated);
                    var server = postgres ? await PostgresServerCpu.FindAsync(baseConnection!, schema) : null;
                    var (p50, min, cpu, serverCpu, allocated) = await MeasureAsync(repository, spans, iterations, server);
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"| {store} | {p50:0.00} | {min:0.00} | {cpu:0.0} | {serverCpu?.ToString("0.0", CultureInfo.InvariantCulture)} | {allocated / 1048576.0:0.00} |"));
                }
            }
            finally
            {
                SqliteConnection.ClearAllPools();
                if (postgres)
                {
                    NpgsqlConnection.ClearAllPools();
                    await IngestCommand.ExecuteAsync(baseConnection!, $"DROP SCHEMA IF EXISTS {schema} CASCADE");
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

        return 0;
    }

    private static async Task<(double P50, double Min, double Cpu, double? ServerCpu, long Allocated)> MeasureAsync(TraceRepository repository, int spans, int iterations, PostgresServerCpu? server)
    {
        // Warm-up: past the tiered JIT's 30 calls, then a pause for its background compiles.
        for (var i = 0; i < 40; i++)
        {
            await ReadAsync(repository, spans);
        }

        await Task.Delay(500);
        var times = new double[iterations];
        var cpu = new double[iterations];
        var allocated = new long[iterations];

        // /proc counts the server's CPU in 10 ms ticks, too coarse for one read: the mean over all of them instead.
        var serverBefore = server is null ? 0 : await server.MillisecondsAsync();
        for (var i = 0; i < iterations; i++)
        {
            var before = GC.GetTotalAllocatedBytes(precise: true);
            var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            var watch = Stopwatch.StartNew();
            await ReadAsync(repository, spans);
            times[i] = watch.Elapsed.TotalMilliseconds;
            cpu[i] = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalMilliseconds;
            allocated[i] = GC.GetTotalAllocatedBytes(precise: true) - before;
        }

        double? serverCpu = server is null ? null : (await server.MillisecondsAsync() - serverBefore) / iterations;
        Array.Sort(times);
        Array.Sort(cpu);
        Array.Sort(allocated);
        return (times[iterations / 2], times[0], cpu[iterations / 2], serverCpu, allocated[iterations / 2]);
    }

    private static async Task ReadAsync(TraceRepository repository, int spans)
    {
        var trace = await repository.GetTraceAsync(LargeTraceGenerator.TraceId);
        if (trace is null || trace.Spans.Count != spans)
        {
            throw new InvalidOperationException($"The store read {trace?.Spans.Count ?? 0} spans, not {spans}.");
        }
    }
}
