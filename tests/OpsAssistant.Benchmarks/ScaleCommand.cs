using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Options;
using OpsAssistant.Core.Analysis;
using OpsAssistant.Core.Formats;
using OpsAssistant.Core.Prompting;
using OpsAssistant.Infrastructure.Llm;

namespace OpsAssistant.Benchmarks;

/// <summary>
/// <c>scale</c>: for 1k, 10k, 100k and 1M spans, generates an OTLP/JSON file, then in a fresh process per size measures a
/// bare JsonDocument.Parse of the bytes, the full read, the analysis, and the prompt built at <c>MaxPromptTokens</c> — with
/// peak memory and whether the planted culprit span is ranked first and still present in the condensed prompt.
/// </summary>
internal static class ScaleCommand
{
    public static int RunAll(string[] sizes)
    {
        var dir = Path.Combine(Path.GetTempPath(), "opsassistant-scale");
        Directory.CreateDirectory(dir);
        Console.WriteLine("| spans | file MB | JsonDocument.Parse ms | read ms | read/parse | analyse ms | prompt ms | load+analyse+condense ms | ratio to parse | peak MB | peak/file | prompt tokens | culprit rank 1 | culprit in prompt |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|");
        foreach (var size in sizes.Select(s => int.Parse(s, CultureInfo.InvariantCulture)))
        {
            var file = Path.Combine(dir, $"trace-{size}.json");
            if (!File.Exists(file))
            {
                using var output = File.Create(file);
                LargeTraceGenerator.Write(output, size);
            }

            var child = Process.Start(new ProcessStartInfo("dotnet", [typeof(ScaleCommand).Assembly.Location, "scale-one", file]) { RedirectStandardOutput = true })!;
            Console.WriteLine(child.StandardOutput.ReadToEnd().Trim());
            child.WaitForExit();
        }

        return 0;
    }

    public static int RunOne(string file)
    {
        var bytes = File.ReadAllBytes(file);
        var baseline = Process.GetCurrentProcess().WorkingSet64;

        // The pipeline runs first and its peak is taken before the baseline parse: JsonDocument.Parse leaves its metadata
        // buffer (about the size of the file) rented in ArrayPool, which is the harness's memory, not the pipeline's. The
        // parse then runs with System.Text.Json's reader already jitted, which makes the ratio to it, if anything, worse.
        var watch = Stopwatch.StartNew();
        var trace = TraceReader.Read(bytes).Traces[0];
        var readMs = watch.Elapsed.TotalMilliseconds;
        watch.Restart();
        var (_, result) = HeuristicEngine.Analyze(trace);
        var analyseMs = watch.Elapsed.TotalMilliseconds;
        watch.Restart();
        var options = Options.Create(new LlmOptions());
        var builder = new RcaPromptBuilder(PromptFile.Load(Path.Combine(AppContext.BaseDirectory, "prompts", "rca.yaml")), new FindingsPromptWriter(SecretRedactor.Default), options);
        var prompt = builder.BuildAsync(trace, result).GetAwaiter().GetResult();
        var promptMs = watch.Elapsed.TotalMilliseconds;
        var peak = Process.GetCurrentProcess().PeakWorkingSet64 - baseline;

        watch.Restart();
        using (var doc = JsonDocument.Parse(bytes))
        {
            _ = doc.RootElement.GetProperty("resourceSpans").GetArrayLength();
        }

        var parseMs = watch.Elapsed.TotalMilliseconds;
        var total = readMs + analyseMs + promptMs;
        var top = result.Hypotheses[0];
        var culpritFirst = top.SpanIds.Count > 0 && top.SpanIds[0] == LargeTraceGenerator.CulpritSpanId;
        var inPrompt = prompt.Rendered.Contains(LargeTraceGenerator.CulpritSpanId, StringComparison.Ordinal);
        var mb = bytes.Length / 1048576.0;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {trace.Spans.Count:N0} | {mb:0.0} | {parseMs:0} | {readMs:0} | {readMs / parseMs:0.00} | {analyseMs:0} | {promptMs:0} | {total:0} | {total / parseMs:0.00} | {peak / 1048576.0:0} | {peak / (double)bytes.Length:0.00} | {prompt.Tokens} | {(culpritFirst ? "yes" : "no")} | {(inPrompt ? "yes" : "no")} |"));
        return 0;
    }
}
