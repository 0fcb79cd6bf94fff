namespace OpsAssistant.Server.Chat;

/// <summary><c>POST /api/chat</c> body (docs/http-api.md).</summary>
internal sealed record ChatMessage(string? ConversationId, string? Message, string? TraceId);
