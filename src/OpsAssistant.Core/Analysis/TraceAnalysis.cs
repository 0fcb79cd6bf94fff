using OpsAssistant.Core.Analysis.Findings;

namespace OpsAssistant.Core.Analysis;

/// <summary>The repaired tree, its timing, and the findings: what the ranker and the prompt builder work from.</summary>
public sealed record TraceAnalysis(SpanTree Tree, Timing Timing, TraceFindings Findings);
