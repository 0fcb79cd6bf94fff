using OpsAssistant.Core.Model;
using OpsAssistant.Core.Results;

namespace OpsAssistant.Core.Engine;

/// <summary>Turns a trace into ranked hypotheses. The heuristic engine is the default; the LLM engine wraps it and falls back to it.</summary>
public interface IRootCauseEngine
{
    Task<AnalysisResult> AnalyzeAsync(Trace trace, CancellationToken cancellationToken = default);
}
