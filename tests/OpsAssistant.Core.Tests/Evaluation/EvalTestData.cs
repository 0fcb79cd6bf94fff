using OpsAssistant.Core.Model;
using OpsAssistant.Core.Results;

namespace OpsAssistant.Core.Tests.Evaluation;

/// <summary>Small builders shared by the eval tests: hypotheses, traces and case directories on disk.</summary>
internal static class EvalTestData
{
    public static Hypothesis Hyp(string? service, string? operation, string category = Categories.Error, string title = "suspect") =>
        new() { Title = title, Category = category, Service = service, Operation = operation };

    public static AnalysisResult Result(string traceId, params Hypothesis[] hypotheses) =>
        new() { TraceId = traceId, Hypotheses = hypotheses.Select((h, i) => h with { Rank = i + 1 }).ToList() };

    public static Trace TraceWith(string traceId, string service = "svc", string name = "op") =>
        new(traceId, [new Span { TraceId = traceId, SpanId = "0000000000000001", Name = name, Resource = new Resource(service) }], TraceFormat.OtlpJson);

    /// <summary>A temporary cases directory, deleted on dispose.</summary>
    public sealed class CasesDir : IDisposable
    {
        public CasesDir()
        {
            Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "oa-eval-" + Guid.NewGuid().ToString("n"));
            Directory.CreateDirectory(Path);
        }

        public string Path { get; }

        /// <summary>Adds a case; the trace file holds the trace ID so a fake reader can tell cases apart.</summary>
        public string Add(string name, string? expectedJson, string? traceText = "{}")
        {
            var dir = System.IO.Path.Combine(Path, name);
            Directory.CreateDirectory(dir);
            if (expectedJson is not null)
            {
                File.WriteAllText(System.IO.Path.Combine(dir, "expected.json"), expectedJson);
            }

            if (traceText is not null)
            {
                File.WriteAllText(System.IO.Path.Combine(dir, "trace.json"), traceText);
            }

            return dir;
        }

        public static string Expected(string traceId, string service, string? span = null, string? kind = null) =>
            System.Text.Json.JsonSerializer.Serialize(new { traceId, rootCause = new { service, span, kind } });

        public void Dispose()
        {
            try
            {
                Directory.Delete(Path, recursive: true);
            }
            catch (IOException)
            {
                // A leftover temp directory is harmless.
            }
        }
    }
}
