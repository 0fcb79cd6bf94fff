namespace OpsAssistant.Infrastructure.Chat;

/// <summary>One user message to the assistant (DESIGN.md <c>POST /api/chat</c>).</summary>
public sealed record ChatRequest(string? ConversationId, string Message, string? TraceId);
