using System.Diagnostics;
using OpsAssistant.Core.Engine;
using OpsAssistant.Core.Results;
using Trace = OpsAssistant.Core.Model.Trace;

namespace OpsAssistant.Core.Analysis;

/// <summary>The embedded default engine: deterministic analysis and ranking, no LLM, no I/O.</summary>
public sealed class HeuristicEngine : IRootCauseEngine
{
    public Task<AnalysisResult> AnalyzeAsync(Trace trace, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(Analyze(trace).Result);
    }

    /// <summary>Analysis and result together, for callers that also need the findings (the prompt builder).</summary>
    public static (TraceAnalysis Analysis, AnalysisResult Result) Analyze(Trace trace)
    {
        var watch = Stopwatch.StartNew();
        var analysis = TraceAnalyzer.Analyze(trace);
        var result = HeuristicRanker.Rank(analysis);
        return (analysis, result with { ElapsedMs = Math.Round(watch.Elapsed.TotalMilliseconds, 2) });
    }
}
