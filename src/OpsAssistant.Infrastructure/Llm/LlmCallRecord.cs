namespace OpsAssistant.Infrastructure.Llm;

/// <summary>What one LLM call reported: the numbers come from the provider's reply, never from local estimates.</summary>
public sealed class LlmCallRecord
{
    public string? ResponseModel { get; set; }

    public long InputTokens { get; set; }

    public long OutputTokens { get; set; }

    public string? FinishReason { get; set; }

    public double? EstimatedCostUsd { get; set; }

    public int Calls { get; set; }

    /// <summary>
    /// The record of the call in progress on this async flow. The caller creates it before invoking Semantic Kernel and the
    /// chat-client pipeline fills it in, because SK's own result does not reliably carry usage for every provider and mode.
    /// </summary>
    internal static AsyncLocal<LlmCallRecord?> Current { get; } = new();
}
