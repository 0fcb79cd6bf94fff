namespace OpsAssistant.Infrastructure.Llm;

/// <summary>A classified LLM failure and the sentence that goes into <c>degraded</c>.</summary>
public sealed record LlmFailureInfo(LlmFailure Kind, string Reason);
