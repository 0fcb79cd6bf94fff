using System.Globalization;
using System.Text.Json;
using OpsAssistant.Core.Analysis;
using OpsAssistant.Core.Formats;
using OpsAssistant.Core.Prompting;

namespace OpsAssistant.Benchmarks;

/// <summary>
/// <c>digest &lt;trace.json | spans&gt;...</c>: prints everything the pipeline derives from each input — the read spans, the
/// full findings, the ranked result (without its timing) and the condensed prompt — as JSON lines. Run it before and after
/// a performance change and diff the two outputs: an optimisation must leave them byte-identical.
/// </summary>
internal static class DigestCommand
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false, IncludeFields = true };

    public static int Run(string[] inputs)
    {
        var condenser = new PromptCondenser(TokenCounter.O200k);
        var writer = new FindingsPromptWriter(SecretRedactor.Default);
        foreach (var input in inputs)
        {
            var bytes = int.TryParse(input, NumberStyles.Integer, CultureInfo.InvariantCulture, out var spans)
                ? LargeTraceGenerator.Generate(spans)
                : File.ReadAllBytes(input);
            foreach (var trace in TraceReader.Read(bytes).Traces)
            {
                Console.WriteLine($"== {input} {trace.TraceId} {trace.Format}");
                Console.WriteLine(JsonSerializer.Serialize(trace.Warnings, Json));
                foreach (var s in trace.Spans)
                {
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{s.SpanId} {s.ParentSpanId} {s.ParentIsFollowsFrom} {s.ServiceName} {s.Name} {s.Kind} {s.StartUnixNano} {s.EndUnixNano} {s.Status} {s.StatusMessage} {s.TraceState} [{string.Join(";", s.Attributes)}] [{string.Join(";", s.Resource.Attributes)}] {s.Scope.Name} {s.Events.Count} {s.Links.Count} {JsonSerializer.Serialize(s.Events, Json)}"));
                }

                var (analysis, result) = HeuristicEngine.Analyze(trace);
                Console.WriteLine(JsonSerializer.Serialize(analysis.Findings, Json));
                Console.WriteLine(JsonSerializer.Serialize(result with { ElapsedMs = 0, AnalysisId = "" }, Json));
                var prompt = condenser.Condense(writer.Write(trace, result), 2500);
                Console.WriteLine(prompt.Tokens);
                Console.WriteLine(prompt.Text);
            }
        }

        return 0;
    }
}
