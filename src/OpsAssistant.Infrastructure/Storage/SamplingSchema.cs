namespace OpsAssistant.Infrastructure.Storage;

/// <summary>
/// Migration 5 of both databases: sampling overrides (the audit keeps ended ones) and the alerts waiting for their analysis
/// to name a service. Times are Unix milliseconds so "in force at" is one integer comparison in either database; the SQL is
/// plain enough that SQLite and PostgreSQL accept the same statements.
/// </summary>
internal static class SamplingSchema
{
    public const string Overrides = """
        CREATE TABLE IF NOT EXISTS sampling_overrides (
            id TEXT NOT NULL PRIMARY KEY,
            service TEXT NOT NULL,
            rate DOUBLE PRECISION NOT NULL,
            created_ms BIGINT NOT NULL,
            expires_ms BIGINT NOT NULL,
            created_by TEXT NOT NULL,
            reason TEXT NULL,
            trigger_key TEXT NULL,
            ended_ms BIGINT NULL,
            ended_by TEXT NULL);
        CREATE INDEX IF NOT EXISTS ix_sampling_overrides_active ON sampling_overrides (ended_ms, expires_ms);
        CREATE INDEX IF NOT EXISTS ix_sampling_overrides_trigger ON sampling_overrides (trigger_key);
        CREATE TABLE IF NOT EXISTS sampling_pending (
            analysis_id TEXT NOT NULL PRIMARY KEY,
            trigger_key TEXT NOT NULL,
            created_by TEXT NOT NULL,
            created_ms BIGINT NOT NULL);
        CREATE INDEX IF NOT EXISTS ix_sampling_pending_trigger ON sampling_pending (trigger_key);
        """;
}
