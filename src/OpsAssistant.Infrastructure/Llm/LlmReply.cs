namespace OpsAssistant.Infrastructure.Llm;

/// <summary>The model's raw text and what the provider reported about the call.</summary>
public sealed record LlmReply(string Content, string? ResponseModel, long InputTokens, long OutputTokens, string? FinishReason, double? EstimatedCostUsd);
