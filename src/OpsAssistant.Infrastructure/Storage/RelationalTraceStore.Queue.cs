using System.Data;
using System.Globalization;
using System.Text.Json;
using OpsAssistant.Core.Analyses;
using OpsAssistant.Core.Results;

namespace OpsAssistant.Infrastructure.Storage;

/// <summary>
/// The webhook job queue is the analyses table itself: a queued row is a job, and a conditional UPDATE claims it, which
/// is atomic on SQLite and PostgreSQL alike (only one UPDATE sees the row still queued).
/// </summary>
public abstract partial class RelationalTraceStore
{
    public async Task<bool> TryAddAsync(AnalysisRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        await InitializeAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, null, """
            INSERT INTO analyses (id, trace_id, status, origin, source, created_at, completed_at, result, error)
            VALUES (@id, @trace_id, @status, @origin, @source, @created_at, @completed_at, @result, @error)
            ON CONFLICT (id) DO NOTHING
            """);
        BindAnalysis(command, record);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    public async Task<IReadOnlyList<string>> ListQueuedAsync(int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        await InitializeAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, null, "SELECT id FROM analyses WHERE status = 'queued' ORDER BY created_at, id LIMIT @limit");
        var parameter = command.CreateParameter();
        parameter.ParameterName = "@limit";
        parameter.DbType = DbType.Int32;
        parameter.Value = limit;
        command.Parameters.Add(parameter);
        var ids = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            ids.Add(reader.GetString(0));
        }

        return ids;
    }

    public async Task<bool> TryClaimAsync(string id, CancellationToken cancellationToken = default)
    {
        await InitializeAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, null, "UPDATE analyses SET status = 'running' WHERE id = @id AND status = 'queued'");
        Text(command, "@id", id);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    public async Task<int> RequeueRunningAsync(CancellationToken cancellationToken = default)
    {
        await InitializeAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, null, "UPDATE analyses SET status = 'queued' WHERE status = 'running'");
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
