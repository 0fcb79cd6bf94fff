using System.Runtime.CompilerServices;
using OpsAssistant.Core.Model;

namespace OpsAssistant.Core.Analysis;

/// <summary>
/// Remembers the analysis of a trace object for as long as the trace lives, so the heuristic engine and the prompt builder
/// that follows it in the same request analyse a million-span trace once, not twice.
/// </summary>
public static class TraceAnalysisCache
{
    private static readonly ConditionalWeakTable<Trace, TraceAnalysis> Analyses = new();

    public static TraceAnalysis GetOrAnalyze(Trace trace) => Analyses.GetValue(trace, TraceAnalyzer.Analyze);
}
