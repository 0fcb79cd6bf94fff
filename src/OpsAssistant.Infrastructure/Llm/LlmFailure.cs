namespace OpsAssistant.Infrastructure.Llm;

/// <summary>Why an LLM answer could not be used; each maps to a <c>degraded</c> reason in the result.</summary>
public enum LlmFailure
{
    NotConfigured,
    Timeout,
    RateLimited,
    Unavailable,
    CircuitOpen,
    InvalidOutput,
    Ungrounded,
    ReplayMiss,
}
