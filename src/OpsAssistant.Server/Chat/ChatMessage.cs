namespace OpsAssistant.Server.Chat;

/// <summary><c>POST /api/chat</c> body (docs/http-api.md).</summary>
public sealed record ChatMessage(string? ConversationId, string? Message, string? TraceId);
