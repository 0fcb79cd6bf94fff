using System.Diagnostics;
using System.Globalization;
using OpsAssistant.Core.Analysis;
using OpsAssistant.Core.Baselines;
using OpsAssistant.Core.Formats;
using OpsAssistant.Core.Model;
using OpsAssistant.Infrastructure.Baselines;
using OpsAssistant.Infrastructure.Storage;

namespace OpsAssistant.Benchmarks;

/// <summary>
/// <c>baselines [spans] [iterations]</c>: what sketch maintenance costs at ingest and what a lookup costs at analysis, on the
/// embedded SQLite store. Ingest: process CPU per span of reading an OTLP/JSON batch and storing it, without and with
/// recording its sketches and flushing them with the refresh of their summaries (one flush per batch: the worst case; the
/// service flushes every 10 s across all batches), alternated, medians. Lookup: the baselines of every operation of a
/// <c>spans</c>-span trace in one call, without the provider's cache, from the summary rows and (before they exist) from
/// the bins, median of runs; from the cache; and the ranking with and without them.
/// </summary>
internal static class BaselinesCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        var spans = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10_000;
        var iterations = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 9;
        var bytes = LargeTraceGenerator.Generate(spans);
        var directory = Directory.CreateTempSubdirectory("opsassistant-baselines-bench-").FullName;
        try
        {
            // 0: store only; 1: store and record the sketches (what ingest pays); 2: also flush them after this one batch.
            var cpu = new[] { new List<double>(), new List<double>(), new List<double>() };
            for (var i = 0; i < iterations + 1; i++)
            {
                for (var k = 0; k < 3; k++)
                {
                    var mode = (i + k) % 3;
                    var seconds = await IngestCpuAsync(bytes, Path.Combine(directory, $"ingest-{i}-{mode}.db"), mode);
                    if (i > 0)
                    {
                        cpu[mode].Add(seconds / spans * 1e6);
                    }
                }
            }

            var plain = Median(cpu[0]);
            var recorded = Median(cpu[1]);
            var flushed = Median(cpu[2]);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"ingest {spans} spans/batch, {iterations} runs, CPU/span: {plain:0.00} µs without sketches, {recorded:0.00} µs recording them (+{(recorded / plain - 1) * 100:0.0}%), {flushed:0.00} µs also flushing after every batch (+{(flushed / plain - 1) * 100:0.0}%)"));

            // Lookup: a store holding the sketches of the trace's operations, asked for all of them at once.
            var trace = TraceReader.Read(bytes).Traces[0];
            var clock = new FixedClock(DateTimeOffset.FromUnixTimeMilliseconds(trace.Spans.Min(s => s.StartUnixNano) / 1_000_000).AddHours(1));
            var store = new SqliteDatabase(SqliteDatabase.ConnectionStringForFile(Path.Combine(directory, "lookup.db")));
            await store.InitializeAsync();
            var baselines = new RelationalBaselineStore(store.OpenAsync, new BaselineOptions { CacheTtl = TimeSpan.Zero }, clock);
            var cached = new RelationalBaselineStore(store.OpenAsync, new BaselineOptions(), clock);
            var recorder = new BaselineRecorder();
            recorder.Record(trace.Spans);
            var touched = await baselines.FlushAsync(recorder.Drain());
            var keys = HeuristicEngine.Operations(trace);

            // Before the summaries exist (a flush whose refresh has not run yet): the lookup computes every operation from the bins.
            var unsummarized = new List<double>();
            for (var i = 0; i < iterations + 3; i++)
            {
                var watch = Stopwatch.StartNew();
                await baselines.GetBaselinesAsync(keys, clock.GetUtcNow());
                unsummarized.Add(watch.Elapsed.TotalMilliseconds);
            }

            var refreshWatch = Stopwatch.StartNew();
            await baselines.RefreshSummariesAsync(touched);
            var refreshMs = refreshWatch.Elapsed.TotalMilliseconds;
            var firstWatch = Stopwatch.StartNew();
            await new RelationalBaselineStore(store.OpenAsync, new BaselineOptions { CacheTtl = TimeSpan.Zero }, clock).GetBaselinesAsync(keys, clock.GetUtcNow());
            var firstMs = firstWatch.Elapsed.TotalMilliseconds;
            var lookups = new List<double>();
            BaselineSet set = BaselineSet.Empty;
            for (var i = 0; i < iterations + 3; i++)
            {
                var watch = Stopwatch.StartNew();
                set = await baselines.GetBaselinesAsync(HeuristicEngine.Operations(trace), clock.GetUtcNow());
                lookups.Add(watch.Elapsed.TotalMilliseconds);
            }

            var warm = new List<double>();
            for (var i = 0; i < iterations + 3; i++)
            {
                var watch = Stopwatch.StartNew();
                await cached.GetBaselinesAsync(HeuristicEngine.Operations(trace), clock.GetUtcNow());
                warm.Add(watch.Elapsed.TotalMilliseconds);
            }

            var analysis = TraceAnalyzer.Analyze(trace);
            var rankPlain = Time(iterations, () => HeuristicRanker.Rank(analysis));
            var rankWith = Time(iterations, () => HeuristicRanker.Rank(analysis, set));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"lookup of {keys.Count} operations of a {spans}-span trace ({set.Operations.Count} baselines returned): {Median(lookups.Skip(3).ToList()):0.00} ms median from the database's summary rows (first of a new provider {firstMs:0.00} ms), {Median(unsummarized.Skip(3).ToList()):0.00} ms computing them from the bins (no summaries yet), {Median(warm.Skip(3).ToList()):0.000} ms from the cache (CacheTtl); refreshing the {touched.Count} summaries after the flush {refreshMs:0.0} ms"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"rank without baselines {rankPlain:0.00} ms, with {rankWith:0.00} ms (medians)"));
            return 0;
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task<double> IngestCpuAsync(byte[] bytes, string path, int mode)
    {
        var store = new SqliteDatabase(SqliteDatabase.ConnectionStringForFile(path));
        await store.InitializeAsync();
        var traces = new TraceRepository(store);
        var baselines = new RelationalBaselineStore(store.OpenAsync, new BaselineOptions(), TimeProvider.System);
        var recorder = new BaselineRecorder();
        GC.Collect();
        var before = Process.GetCurrentProcess().TotalProcessorTime;
        IReadOnlyList<Span> spans = TraceReader.Read(bytes).Traces[0].Spans;
        await traces.AddSpansAsync(spans as IReadOnlyCollection<Span> ?? [.. spans]);
        if (mode >= 1)
        {
            recorder.Record(spans);
        }

        if (mode == 2)
        {
            await baselines.RefreshSummariesAsync(await baselines.FlushAsync(recorder.Drain()));
        }

        return (Process.GetCurrentProcess().TotalProcessorTime - before).TotalSeconds;
    }

    private static double Time(int iterations, Action action)
    {
        var times = new List<double>();
        for (var i = 0; i < iterations + 2; i++)
        {
            var watch = Stopwatch.StartNew();
            action();
            times.Add(watch.Elapsed.TotalMilliseconds);
        }

        return Median(times.Skip(2).ToList());
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
