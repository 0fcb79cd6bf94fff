namespace OpsAssistant.Core.Conversations;

/// <summary>A persisted multi-turn chat with the assistant.</summary>
public sealed record Conversation(string Id, DateTimeOffset CreatedAt, IReadOnlyList<ChatTurn> Turns)
{
    /// <summary>The trace most recently discussed, so "why is it slow?" after an analysis knows which trace "it" is.</summary>
    public string? CurrentTraceId => Turns.LastOrDefault(t => t.TraceId is not null)?.TraceId;
}
