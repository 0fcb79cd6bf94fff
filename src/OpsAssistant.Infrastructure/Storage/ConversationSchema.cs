namespace OpsAssistant.Infrastructure.Storage;

/// <summary>
/// Migration 2 of both databases: persisted analyses and chat conversations. Plain SQL both SQLite and PostgreSQL accept,
/// so one step serves both dialects.
/// </summary>
internal static class ConversationSchema
{
    public const string Analyses = """
        CREATE TABLE IF NOT EXISTS analyses (
            id TEXT NOT NULL PRIMARY KEY,
            trace_id TEXT NOT NULL,
            status TEXT NOT NULL,
            origin TEXT NOT NULL,
            source TEXT NULL,
            created_at TEXT NOT NULL,
            completed_at TEXT NULL,
            result TEXT NULL,
            error TEXT NULL);
        CREATE INDEX IF NOT EXISTS ix_analyses_trace ON analyses (trace_id);
        CREATE TABLE IF NOT EXISTS conversation_turns (
            conversation_id TEXT NOT NULL,
            seq INTEGER NOT NULL,
            role TEXT NOT NULL,
            content TEXT NOT NULL,
            at TEXT NOT NULL,
            analysis_id TEXT NULL,
            trace_id TEXT NULL,
            PRIMARY KEY (conversation_id, seq));
        """;
}
