using OpsAssistant.Core.Model;
using OpsAssistant.Core.Results;

namespace OpsAssistant.Infrastructure.Llm;

/// <summary>Builds the RCA prompt within the token budget. Used with and without an LLM (the eval reports prompt size either way).</summary>
public interface IRcaPromptBuilder
{
    Task<RcaPrompt> BuildAsync(Trace trace, AnalysisResult heuristic, CancellationToken cancellationToken = default);
}
