using Microsoft.Extensions.AI;

namespace OpsAssistant.Infrastructure.Llm;

/// <summary>
/// Gives every model round trip of a chat turn the conversation's ID (<see cref="Microsoft.Extensions.AI.ChatOptions.ConversationId"/>), which the
/// OpenTelemetry chat client records as <c>gen_ai.conversation.id</c> on its <c>chat {model}</c> span. It sits inside the
/// function-invocation loop, so that loop still resends the history itself (the Chat Completions API keeps none).
/// </summary>
internal sealed class ConversationChatClient(IChatClient inner, string conversationId) : DelegatingChatClient(inner)
{
    public override Task<ChatResponse> GetResponseAsync(IEnumerable<Microsoft.Extensions.AI.ChatMessage> messages, Microsoft.Extensions.AI.ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        base.GetResponseAsync(messages, WithConversation(options), cancellationToken);

    public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<Microsoft.Extensions.AI.ChatMessage> messages, Microsoft.Extensions.AI.ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        base.GetStreamingResponseAsync(messages, WithConversation(options), cancellationToken);

    private Microsoft.Extensions.AI.ChatOptions WithConversation(Microsoft.Extensions.AI.ChatOptions? options)
    {
        var copy = options?.Clone() ?? new Microsoft.Extensions.AI.ChatOptions();
        copy.ConversationId ??= conversationId;
        return copy;
    }
}
