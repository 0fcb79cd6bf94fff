namespace OpsAssistant.Infrastructure.Storage;

/// <summary>Migration 3 of both databases: the webhook worker looks analyses up by status, so status is indexed.</summary>
internal static class QueueSchema
{
    public const string StatusIndex = """
        CREATE INDEX IF NOT EXISTS ix_analyses_status ON analyses (status, created_at);
        """;
}
