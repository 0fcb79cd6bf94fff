using System.Data;
using System.Globalization;
using System.Text.Json;
using OpsAssistant.Core.Incidents;
using OpsAssistant.Core.Results;
using OpsAssistant.Infrastructure.Storage;

namespace OpsAssistant.Infrastructure.Incidents;

/// <summary>
/// Incidents in the store's <c>incidents</c> table (SQLite or PostgreSQL): the result JSON in <c>body</c>, status, lease and
/// attempts in columns. A claim is one conditional <c>UPDATE … RETURNING</c>; every later write checks the lease owner, so an
/// incident completes once even when a slow worker and its successor both ran it.
/// </summary>
internal sealed class RelationalIncidentStore(RelationalDatabase store) : IIncidentStore
{
    private const string Claimable = "(status = 'queued' OR (status = 'running' AND lease_until_ms < @now))";

    public async Task SaveAsync(IncidentResult incident, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(incident);
        await using var connection = await store.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Insert(connection, incident, """
            ON CONFLICT (id) DO UPDATE SET status = excluded.status, body = excluded.body, lease_owner = NULL, lease_until_ms = NULL
            """);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> TryAddAsync(IncidentResult incident, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(incident);
        await using var connection = await store.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Insert(connection, incident, "ON CONFLICT (id) DO NOTHING");
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    public async Task<IncidentResult?> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        await using var connection = await store.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = IncidentSql.Command(connection, "SELECT body, status, attempts FROM incidents WHERE id = @id", ("id", DbType.String, id));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? Read(reader.GetString(0), reader.GetString(1), reader.GetInt32(2)) : null;
    }

    public async Task<IncidentResult?> ClaimAsync(string owner, DateTimeOffset now, DateTimeOffset leaseUntil, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(owner);
        await using var connection = await store.OpenAsync(cancellationToken).ConfigureAwait(false);

        // The outer condition repeats the inner one: on PostgreSQL a replica that lost the race to the same row re-checks it
        // after the winner commits and updates nothing.
        await using var command = IncidentSql.Command(connection, $"""
            UPDATE incidents SET status = 'running', lease_owner = @owner, lease_until_ms = @until, attempts = attempts + 1
            WHERE id = (SELECT id FROM incidents WHERE {Claimable} ORDER BY created_at_ms, id LIMIT 1) AND {Claimable}
            RETURNING body, status, attempts
            """,
            ("owner", DbType.String, owner),
            ("until", DbType.Int64, IncidentSql.UnixMs(leaseUntil)),
            ("now", DbType.Int64, IncidentSql.UnixMs(now)));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? Read(reader.GetString(0), reader.GetString(1), reader.GetInt32(2)) : null;
    }

    public async Task<bool> CompleteAsync(IncidentResult incident, string owner, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(incident);
        await using var connection = await store.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = IncidentSql.Command(connection, """
            UPDATE incidents SET status = @status, body = @body, lease_owner = NULL, lease_until_ms = NULL
            WHERE id = @id AND lease_owner = @owner
            """,
            ("status", DbType.String, StatusName(incident.Status)),
            ("body", DbType.String, JsonSerializer.Serialize(incident, ResultJson.Options)),
            ("id", DbType.String, incident.IncidentId),
            ("owner", DbType.String, owner));
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    public static string StatusName(IncidentStatus status) => status.ToString().ToLowerInvariant();

    private static System.Data.Common.DbCommand Insert(System.Data.Common.DbConnection connection, IncidentResult incident, string conflict) =>
        IncidentSql.Command(connection, $"""
            INSERT INTO incidents (id, status, service, created_at_ms, attempts, body)
            VALUES (@id, @status, @service, @created, @attempts, @body)
            {conflict}
            """,
            ("id", DbType.String, incident.IncidentId),
            ("status", DbType.String, StatusName(incident.Status)),
            ("service", DbType.String, incident.Service),
            ("created", DbType.Int64, IncidentSql.UnixMs(incident.CreatedAt)),
            ("attempts", DbType.Int32, incident.Attempts),
            ("body", DbType.String, JsonSerializer.Serialize(incident, ResultJson.Options)));

    private static IncidentResult Read(string body, string status, int attempts)
    {
        var incident = JsonSerializer.Deserialize<IncidentResult>(body, ResultJson.Options)
            ?? throw new InvalidDataException("An incident row holds no result.");
        return incident with { Status = Enum.Parse<IncidentStatus>(status, ignoreCase: true), Attempts = attempts };
    }
}
