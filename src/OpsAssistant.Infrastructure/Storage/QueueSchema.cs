namespace OpsAssistant.Infrastructure.Storage;

/// <summary>Queue migrations of both databases (plain SQL that SQLite and PostgreSQL both accept).</summary>
internal static class QueueSchema
{
    /// <summary>Migration 3: the webhook worker looks analyses up by status, so status is indexed.</summary>
    public const string StatusIndex = """
        CREATE INDEX IF NOT EXISTS ix_analyses_status ON analyses (status, created_at);
        """;

    /// <summary>
    /// Migration 4: leases (who runs a job and until when, as Unix milliseconds so both databases compare them as
    /// integers), the attempt count, the earliest retry time, the caller's traceparent, the notification outbox, and when the alert resolved.
    /// </summary>
    public const string Leases = """
        ALTER TABLE analyses ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE analyses ADD COLUMN lease_owner TEXT NULL;
        ALTER TABLE analyses ADD COLUMN lease_until_ms BIGINT NULL;
        ALTER TABLE analyses ADD COLUMN not_before_ms BIGINT NULL;
        ALTER TABLE analyses ADD COLUMN subject TEXT NULL;
        ALTER TABLE analyses ADD COLUMN trace_parent TEXT NULL;
        ALTER TABLE analyses ADD COLUMN notify_status TEXT NULL;
        ALTER TABLE analyses ADD COLUMN notify_attempts INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE analyses ADD COLUMN notify_due_ms BIGINT NULL;
        ALTER TABLE analyses ADD COLUMN resolved_at TEXT NULL;
        CREATE INDEX IF NOT EXISTS ix_analyses_notify ON analyses (notify_status, completed_at) WHERE notify_status IS NOT NULL;
        """;
}
