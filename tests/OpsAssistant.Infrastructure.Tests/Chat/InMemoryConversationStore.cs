using System.Collections.Concurrent;
using OpsAssistant.Core.Conversations;

namespace OpsAssistant.Infrastructure.Tests.Chat;

internal sealed class InMemoryConversationStore : IConversationStore
{
    private readonly ConcurrentDictionary<string, Conversation> _items = new();

    public Task<Conversation?> GetAsync(string conversationId, CancellationToken cancellationToken = default) =>
        Task.FromResult(_items.TryGetValue(conversationId, out var c) ? c : null);

    public Task AppendAsync(string conversationId, IReadOnlyList<ChatTurn> turns, CancellationToken cancellationToken = default)
    {
        _items.AddOrUpdate(conversationId,
            _ => new Conversation(conversationId, DateTimeOffset.UtcNow, [.. turns]),
            (_, c) => c with { Turns = [.. c.Turns, .. turns] });
        return Task.CompletedTask;
    }
}
