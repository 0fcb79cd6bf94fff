namespace OpsAssistant.Core.Results;

/// <summary>Tokens an LLM reported for one analysis (zero on the heuristic engine).</summary>
public sealed record TokenUsage(long InputTokens = 0, long OutputTokens = 0);
