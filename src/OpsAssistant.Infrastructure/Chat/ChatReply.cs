using OpsAssistant.Core.Results;

namespace OpsAssistant.Infrastructure.Chat;

/// <summary>The assistant's complete answer to one message.</summary>
public sealed record ChatReply(string ConversationId, string Reply, AnalysisResult? Analysis, string Engine, string? Degraded);
