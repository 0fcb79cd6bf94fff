namespace OpsAssistant.Core.Conversations;

/// <summary>Where conversations persist (SQLite by default, PostgreSQL when configured).</summary>
public interface IConversationStore
{
    Task<Conversation?> GetAsync(string conversationId, CancellationToken cancellationToken = default);

    /// <summary>Appends turns to a conversation, creating it when it does not exist yet.</summary>
    Task AppendAsync(string conversationId, IReadOnlyList<ChatTurn> turns, CancellationToken cancellationToken = default);
}
