using OpsAssistant.Core.Model;
using OpsAssistant.Core.Results;

namespace OpsAssistant.Core.Prompting;

/// <summary>Turns a trace and its heuristic analysis into prioritised, redacted prompt sections, every line citing its spans.</summary>
public interface IPromptSectionWriter
{
    IReadOnlyList<PromptSection> Write(Trace trace, AnalysisResult heuristic);
}
