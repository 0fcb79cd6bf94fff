using OpsAssistant.Core.Model;

namespace OpsAssistant.Infrastructure.Chat;

/// <summary>One user message to the assistant (<c>POST /api/chat</c>, docs/http-api.md).</summary>
public sealed record ChatRequest(string? ConversationId, string Message, TraceId? TraceId);
