using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using System.Text.Json;
using OpsAssistant.Core.Analysis;
using OpsAssistant.Core.Formats;
using OpsAssistant.Core.Prompting;

namespace OpsAssistant.Benchmarks;

/// <summary>
/// <c>steady [spans] [rounds] [runs-per-round]</c>: the whole pipeline (read + analyse + rank + prompt + condense) and the
/// bare parse run back to back without a collection between runs, as BenchmarkDotNet's invocations within one iteration
/// do, so each run pays for collecting the models of the runs before it. <c>phases</c> starts every run from a collected
/// heap and so leaves that cost out; this is the quick proxy for the BenchmarkDotNet ratio (seconds instead of minutes)
/// for trying a change that aims at collection work. Rounds alternate parse and pipeline, so a burst of load on the
/// machine hits both.
/// </summary>
internal static class SteadyCommand
{
    public static int Run(string[] args)
    {
        var spans = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 100_000;
        var rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 8;
        var perRound = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 4;
        var bytes = LargeTraceGenerator.Generate(spans);
        var writer = new FindingsPromptWriter(SecretRedactor.Default);
        var condenser = new PromptCondenser(TokenCounter.O200k);

        int Parse()
        {
            using var doc = JsonDocument.Parse(bytes);
            return doc.RootElement.GetArrayLength2();
        }

        int Pipeline()
        {
            var trace = TraceReader.Read(bytes).Traces[0];
            var (_, result) = HeuristicEngine.Analyze(trace);
            return condenser.Condense(writer.Write(trace, result), 2500).Tokens;
        }

        if (args.Length > 3 && args[3] == "alloc")
        {
            AllocationSampler.Print(() => Pipeline());
            return 0;
        }

        var parse = new Sample();
        var pipeline = new Sample();
        for (var warm = 0; warm < 3; warm++)
        {
            Parse();
            Pipeline();
        }

        for (var r = 0; r < rounds; r++)
        {
            parse.Round(Parse, perRound);
            pipeline.Round(Pipeline, perRound);
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{spans:N0} spans, {bytes.Length / 1048576.0:0.0} MB, {(GCSettings.IsServerGC ? "server" : "workstation")} GC, {rounds} rounds of {perRound} back-to-back runs"));
        Console.WriteLine("| | median ms | mean ms | min ms | GC pause ms / run | allocated MB / run | GCs gen0/1/2 per run |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---|");
        parse.Print("JsonDocument.Parse");
        pipeline.Print("read + analyse + condense");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ratio of medians: {pipeline.Median / parse.Median:0.00}×, of means: {pipeline.Mean / parse.Mean:0.00}×"));
        return 0;
    }

    private sealed class Sample
    {
        private readonly List<double> _times = [];
        private readonly int[] _collections = new int[3];
        private long _allocated;
        private TimeSpan _paused;

        public double Median => _times.Order().ElementAt(_times.Count / 2);

        public double Mean => _times.Average();

        public void Round(Func<int> run, int count)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            var before = new int[3];
            for (var g = 0; g < 3; g++)
            {
                before[g] = GC.CollectionCount(g);
            }

            // Per thread: exact under both GC modes, and the work runs on this thread.
            var allocated = GC.GetAllocatedBytesForCurrentThread();
            var paused = GC.GetTotalPauseDuration();
            for (var k = 0; k < count; k++)
            {
                var watch = Stopwatch.StartNew();
                run();
                _times.Add(watch.Elapsed.TotalMilliseconds);
            }

            _allocated += GC.GetAllocatedBytesForCurrentThread() - allocated;
            _paused += GC.GetTotalPauseDuration() - paused;
            for (var g = 0; g < 3; g++)
            {
                _collections[g] += GC.CollectionCount(g) - before[g];
            }
        }

        public void Print(string name)
        {
            var n = (double)_times.Count;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {name} | {Median:0.0} | {Mean:0.0} | {_times.Min():0.0} | {_paused.TotalMilliseconds / n:0.0} | {_allocated / n / 1048576.0:0.0} | {_collections[0] / n:0.0}/{_collections[1] / n:0.0}/{_collections[2] / n:0.0} |"));
        }
    }
}
