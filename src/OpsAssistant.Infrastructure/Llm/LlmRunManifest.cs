namespace OpsAssistant.Infrastructure.Llm;

/// <summary>Which provider and model a recorded run used; replay reproduces the same request bytes from it.</summary>
public sealed record LlmRunManifest(LlmProvider Provider, string Model, int MaxPromptTokens, int MaxOutputTokens, double Temperature, bool Stream, DateTimeOffset RecordedAt);
