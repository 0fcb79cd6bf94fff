namespace OpsAssistant.Infrastructure.Llm;

/// <summary>
/// One chat turn with tools: the rendered system prompt, the earlier turns (oldest first), the new message, the tools the
/// model may call, how many rounds of tool calls it gets, and the conversation the turn belongs to (recorded on the spans).
/// </summary>
public sealed record ToolChatRequest(
    string ConversationId,
    string SystemPrompt,
    IReadOnlyList<ToolChatMessage> History,
    string Message,
    IReadOnlyList<ChatTool> Tools,
    int MaxToolSteps);

/// <summary>An earlier turn of the conversation.</summary>
public sealed record ToolChatMessage(ToolChatRole Role, string Content);

public enum ToolChatRole
{
    User,
    Assistant,
}
