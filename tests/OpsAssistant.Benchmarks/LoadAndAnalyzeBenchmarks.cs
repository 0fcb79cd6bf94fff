using System.Text.Json;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using OpsAssistant.Core.Analysis;
using OpsAssistant.Core.Formats;
using OpsAssistant.Core.Model;
using OpsAssistant.Core.Prompting;

namespace OpsAssistant.Benchmarks;

/// <summary>
/// Reading a trace against the floor of a bare <see cref="JsonDocument.Parse(ReadOnlyMemory{byte}, JsonDocumentOptions)"/> of
/// the same bytes, then analysis and prompt condensation on their own.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(GcModes))]
public class LoadAndAnalyzeBenchmarks
{
    private byte[] _bytes = [];
    private Trace _trace = null!;
    private readonly FindingsPromptWriter _writer = new(SecretRedactor.Default);
    private readonly PromptCondenser _condenser = new(TokenCounter.O200k);

    [Params(10_000, 100_000)]
    public int Spans { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _bytes = LargeTraceGenerator.Generate(Spans);
        _trace = TraceReader.Read(_bytes).Traces[0];
    }

    [Benchmark(Baseline = true)]
    public int JsonDocumentParse()
    {
        using var doc = JsonDocument.Parse(_bytes);
        return doc.RootElement.GetArrayLength2();
    }

    [Benchmark]
    public int ReadTrace() => TraceReader.Read(_bytes).Traces[0].Spans.Count;

    [Benchmark]
    public int Analyze() => TraceAnalyzer.Analyze(_trace).Findings.Hotspots.Count;

    [Benchmark]
    public int ReadAnalyzeCondense()
    {
        var trace = TraceReader.Read(_bytes).Traces[0];
        var (_, result) = HeuristicEngine.Analyze(trace);
        return _condenser.Condense(_writer.Write(trace, result), 2500).Tokens;
    }
}

/// <summary>
/// The pipeline builds a model of the whole trace that outlives many gen0 collections, so its cost depends on the GC mode
/// while the parse it is compared with (pooled buffers, nothing retained) does not. Each benchmark runs under the two GC
/// configurations the product ships with, each against the parse of the same job: the CLI's (workstation GC without
/// background collection, set in its project file) and the service's (server GC, concurrent: Microsoft.NET.Sdk.Web's
/// defaults). Iterations beyond a short job's three because a 100k-span read varies by ±30% with where the collections fall.
/// </summary>
public sealed class GcModes : ManualConfig
{
    public GcModes()
    {
        var job = Job.ShortRun.WithWarmupCount(3).WithIterationCount(15);
        AddJob(job.WithGcServer(false).WithGcConcurrent(false).WithId("Cli"));
        AddJob(job.WithGcServer(true).WithGcConcurrent(true).WithId("Service"));
    }
}

internal static class JsonElementExtensions
{
    /// <summary>Touches the document so the parse cannot be optimised away.</summary>
    public static int GetArrayLength2(this JsonElement root) => root.GetProperty("resourceSpans").GetArrayLength();
}
