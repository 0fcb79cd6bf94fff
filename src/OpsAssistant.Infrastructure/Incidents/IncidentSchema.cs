namespace OpsAssistant.Infrastructure.Incidents;

/// <summary>The incident table's migration, shared by both databases (plain SQL both accept).</summary>
internal static class IncidentSchema
{
    /// <summary>
    /// Migration 8: one row per incident, the result JSON in <c>body</c>; queued rows are the alert incidents' job queue,
    /// claimed with a lease (<c>lease_owner</c>, <c>lease_until_ms</c>) like the analysis queue.
    /// </summary>
    public const string Incidents = """
        CREATE TABLE IF NOT EXISTS incidents (
            id TEXT NOT NULL PRIMARY KEY,
            status TEXT NOT NULL,
            service TEXT NOT NULL,
            created_at_ms BIGINT NOT NULL,
            lease_owner TEXT NULL,
            lease_until_ms BIGINT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            body TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS ix_incidents_status ON incidents (status, created_at_ms);
        """;
}
