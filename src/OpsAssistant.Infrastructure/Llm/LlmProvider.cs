namespace OpsAssistant.Infrastructure.Llm;

/// <summary>Which LLM answers (<c>OpsAssistant:Llm:Provider</c>). <see cref="None"/> means the heuristic engine only.</summary>
public enum LlmProvider
{
    None = 0,
    AzureOpenAI,
    OpenAI,

    /// <summary>Any server speaking the OpenAI chat-completions API at <c>Endpoint</c> (Ollama, vLLM, LM Studio).</summary>
    OpenAICompatible,
}
