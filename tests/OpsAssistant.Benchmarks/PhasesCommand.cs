using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using OpsAssistant.Core.Analysis;
using OpsAssistant.Core.Formats;
using OpsAssistant.Core.Model;
using OpsAssistant.Core.Prompting;
using Trace = OpsAssistant.Core.Model.Trace;

namespace OpsAssistant.Benchmarks;

/// <summary>
/// <c>phases [spans] [iterations] [stage]</c>: a quick, warm, in-process breakdown of where the pipeline spends its time — the
/// parse floor, the read, each analysis stage, ranking, the prompt writer and the condenser — as the median of several
/// runs with the bytes allocated per stage. A profiling aid for finding hot spots between BenchmarkDotNet runs, not a
/// replacement for them.
/// </summary>
internal static class PhasesCommand
{
    public static int Run(string[] args)
    {
        var spans = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 100_000;
        var iterations = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 7;
        var only = args.Length > 2 ? args[2] : null; // run only the stages whose name contains this (for a profiler)
        var bytes = LargeTraceGenerator.Generate(spans);
        var writer = new FindingsPromptWriter(SecretRedactor.Default);
        var condenser = new PromptCondenser(TokenCounter.O200k);
        var stages = new List<(string Name, Func<object?> Run)>();
        Trace trace = TraceReader.Read(bytes).Traces[0];
        SpanTree tree = SpanTree.Build(trace);
        Timing timing = Timing.Compute(tree);
        TraceAnalysis analysis = TraceAnalyzer.Analyze(trace);
        var refs = new OpsAssistant.Core.Analysis.Findings.SpanRef?[tree.Count];
        OpsAssistant.Core.Analysis.Findings.SpanRef RefOf(int i) => refs[i] ??= new(tree[i].SpanId, tree[i].ServiceName, tree[i].Name, tree.DurationMs(i));
        stages.Add(("JsonDocument.Parse", () => { using var d = JsonDocument.Parse(bytes); return d.RootElement.GetArrayLength2(); }));
        stages.Add(("Utf8JsonReader, tokens only", () =>
        {
            var r = new Utf8JsonReader(bytes);
            var n = 0;
            while (r.Read())
            {
                n++;
            }

            return n;
        }));
        stages.Add(("read", () => trace = TraceReader.Read(bytes).Traces[0]));
        stages.Add(("  SpanTree.Build", () => tree = SpanTree.Build(trace)));
        stages.Add(("  Timing.Compute", () => timing = Timing.Compute(tree)));
        stages.Add(("  ErrorDetector", () => ErrorDetector.Detect(tree, RefOf)));
        stages.Add(("  PatternDetector.Repetition", () => PatternDetector.Repetition(tree, timing, RefOf)));
        stages.Add(("  PatternDetector.Waits", () => PatternDetector.Waits(tree, timing, RefOf)));
        stages.Add(("  PatternDetector.Resources", () => PatternDetector.Resources(tree, timing, RefOf)));
        stages.Add(("  ColdStartDetector", () => ColdStartDetector.Detect(tree, RefOf)));
        stages.Add(("analyse (TraceAnalyzer)", () => analysis = TraceAnalyzer.Analyze(trace)));
        stages.Add(("rank", () => HeuristicRanker.Rank(analysis)));
        var result = HeuristicRanker.Rank(analysis);
        IReadOnlyList<PromptSection> sections = writer.Write(trace, result);
        stages.Add(("prompt sections", () => sections = writer.Write(trace, result)));
        stages.Add(("condense", () => condenser.Condense(sections, 2500)));

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{spans:N0} spans, {bytes.Length / 1048576.0:0.0} MB, median of {iterations} warm runs"));
        Console.WriteLine("| stage | ms | min ms | CPU ms | GC pause ms | allocated MB | GCs gen0/1/2 |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---|");
        foreach (var (name, run) in stages.Where(s => only is null || s.Name.Contains(only, StringComparison.OrdinalIgnoreCase)))
        {
            run();
            var times = new double[iterations];
            var cpu = new double[iterations];
            var pauses = new double[iterations];
            var process = Process.GetCurrentProcess();
            long allocated = 0;
            var collections = new int[3];
            for (var k = 0; k < iterations; k++)
            {
                // As BenchmarkDotNet does between iterations: the previous run's garbage is not this run's cost.
                GC.Collect();
                GC.WaitForPendingFinalizers();
                var before = GC.GetAllocatedBytesForCurrentThread();
                for (var g = 0; g < 3; g++)
                {
                    collections[g] = GC.CollectionCount(g);
                }

                process.Refresh();
                var cpuBefore = process.TotalProcessorTime;
                var pauseBefore = GC.GetTotalPauseDuration();
                var watch = Stopwatch.StartNew();
                run();
                times[k] = watch.Elapsed.TotalMilliseconds;
                process.Refresh();
                cpu[k] = (process.TotalProcessorTime - cpuBefore).TotalMilliseconds;
                pauses[k] = (GC.GetTotalPauseDuration() - pauseBefore).TotalMilliseconds;
                allocated = GC.GetAllocatedBytesForCurrentThread() - before;
                for (var g = 0; g < 3; g++)
                {
                    collections[g] = GC.CollectionCount(g) - collections[g];
                }
            }

            Array.Sort(times);
            Array.Sort(cpu);
            Array.Sort(pauses);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {times[iterations / 2]:0.0} | {times[0]:0.0} | {cpu[iterations / 2]:0} | {pauses[iterations / 2]:0.0} | {allocated / 1048576.0:0.0} | {collections[0]}/{collections[1]}/{collections[2]} |"));
        }

        return 0;
    }
}
