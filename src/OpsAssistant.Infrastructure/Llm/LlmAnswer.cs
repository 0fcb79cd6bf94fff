using System.ComponentModel;

namespace OpsAssistant.Infrastructure.Llm;

/// <summary>The JSON the model is asked for (docs/result.md, "LLM answer"); also the source of the response JSON schema.</summary>
public sealed record LlmAnswer
{
    [Description("One paragraph for an on-call engineer.")]
    public string Summary { get; init; } = "";

    [Description("Root-cause hypotheses, best first.")]
    public List<LlmHypothesis> Hypotheses { get; init; } = [];
}
