using System.Data;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.Json;
using OpsAssistant.Core.Analyses;
using OpsAssistant.Core.Conversations;
using OpsAssistant.Core.Results;

namespace OpsAssistant.Infrastructure.Storage;

/// <summary>Analyses and conversations live in the same database as the traces they are about.</summary>
public abstract partial class RelationalTraceStore
{
    public async Task SaveAsync(AnalysisRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        await InitializeAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, null, $"""
            {InsertAnalysisSql}
            ON CONFLICT (id) DO UPDATE SET status = excluded.status, completed_at = excluded.completed_at,
                result = excluded.result, error = excluded.error, source = excluded.source
            """);
        BindAnalysis(command, record);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<AnalysisRecord?> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        await InitializeAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, null, $"SELECT {AnalysisColumns} FROM analyses WHERE id = @id");
        Text(command, "@id", id);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? ReadAnalysis(reader) : null;
    }

    async Task<Conversation?> IConversationStore.GetAsync(string conversationId, CancellationToken cancellationToken)
    {
        await InitializeAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, null,
            "SELECT role, content, at, analysis_id, trace_id FROM conversation_turns WHERE conversation_id = @id ORDER BY seq");
        Text(command, "@id", conversationId);
        var turns = new List<ChatTurn>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            turns.Add(new ChatTurn(reader.GetString(0), reader.GetString(1), DateTimeOffset.Parse(reader.GetString(2), CultureInfo.InvariantCulture),
                await reader.IsDBNullAsync(3, cancellationToken).ConfigureAwait(false) ? null : reader.GetString(3), await reader.IsDBNullAsync(4, cancellationToken).ConfigureAwait(false) ? null : reader.GetString(4)));
        }

        return turns.Count == 0 ? null : new Conversation(conversationId, turns[0].At, turns);
    }

    [SuppressMessage("Security", "CA5394:Do not use insecure randomness", Justification = "Random only spreads the retry pauses of racing appends; nothing depends on it being unpredictable.")]
    public async Task AppendAsync(string conversationId, IReadOnlyList<ChatTurn> turns, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(turns);
        await InitializeAsync(cancellationToken).ConfigureAwait(false);

        // Two requests appending to one conversation read the same next seq; the loser's insert violates the key and its whole
        // batch is retried after the winner's, so both keep all their turns, each batch contiguous. A lock conflict the
        // driver misreports (StorageFailures.IsMisreportedBusy) is retried the same way.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await TryAppendAsync(conversationId, turns, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (System.Data.Common.DbException ex) when (attempt < 10 && (IsUniqueViolation(ex) || StorageFailures.IsMisreportedBusy(ex)))
            {
                await Task.Delay(Random.Shared.Next(5, 20 * attempt), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>A primary-key clash (SQLite's constraint code 19; PostgreSQL's SQLSTATE 23505).</summary>
    private static bool IsUniqueViolation(System.Data.Common.DbException exception) =>
        exception.SqlState == "23505" || exception is Microsoft.Data.Sqlite.SqliteException { SqliteErrorCode: 19 };

    private async Task TryAppendAsync(string conversationId, IReadOnlyList<ChatTurn> turns, CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        long next;
        await using (var max = Command(connection, transaction, "SELECT COALESCE(MAX(seq), 0) FROM conversation_turns WHERE conversation_id = @id"))
        {
            Text(max, "@id", conversationId);
            next = Convert.ToInt64(await max.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture) + 1;
        }

        foreach (var turn in turns)
        {
            await using var insert = Command(connection, transaction, """
                INSERT INTO conversation_turns (conversation_id, seq, role, content, at, analysis_id, trace_id)
                VALUES (@id, @seq, @role, @content, @at, @analysis_id, @trace_id)
                """);
            Text(insert, "@id", conversationId);
            var seq = insert.CreateParameter();
            seq.ParameterName = "@seq";
            seq.DbType = DbType.Int64;
            seq.Value = next++;
            insert.Parameters.Add(seq);
            Text(insert, "@role", turn.Role);
            Text(insert, "@content", turn.Content);
            Text(insert, "@at", turn.At.ToString("O", CultureInfo.InvariantCulture));
            Text(insert, "@analysis_id", turn.AnalysisId);
            Text(insert, "@trace_id", turn.TraceId);
            await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The columns <see cref="ReadAnalysis"/> expects, in its order.</summary>
    private const string AnalysisColumns = "id, trace_id, status, origin, source, created_at, completed_at, result, error, subject, trace_parent, attempts, resolved_at";

    /// <summary>The insert shared by the upsert and the insert-if-absent of queued alerts; <see cref="BindAnalysis"/> fills it.</summary>
    private const string InsertAnalysisSql = """
        INSERT INTO analyses (id, trace_id, status, origin, source, created_at, completed_at, result, error, subject, trace_parent)
        VALUES (@id, @trace_id, @status, @origin, @source, @created_at, @completed_at, @result, @error, @subject, @trace_parent)
        """;

    private static AnalysisRecord ReadAnalysis(System.Data.Common.DbDataReader reader) => new()
    {
        Id = reader.GetString(0),
        TraceId = reader.GetString(1),
        Status = Enum.Parse<AnalysisStatus>(reader.GetString(2), ignoreCase: true),
        Origin = reader.GetString(3),
        Source = reader.IsDBNull(4) ? null : reader.GetString(4),
        CreatedAt = DateTimeOffset.Parse(reader.GetString(5), CultureInfo.InvariantCulture),
        CompletedAt = reader.IsDBNull(6) ? null : DateTimeOffset.Parse(reader.GetString(6), CultureInfo.InvariantCulture),
        Result = reader.IsDBNull(7) ? null : JsonSerializer.Deserialize(reader.GetString(7), ResultJson.Result),
        Error = reader.IsDBNull(8) ? null : reader.GetString(8),
        Subject = reader.IsDBNull(9) ? null : reader.GetString(9),
        TraceParent = reader.IsDBNull(10) ? null : reader.GetString(10),
        Attempts = Convert.ToInt32(reader.GetValue(11), CultureInfo.InvariantCulture),
        ResolvedAt = reader.IsDBNull(12) ? null : DateTimeOffset.Parse(reader.GetString(12), CultureInfo.InvariantCulture),
    };

    /// <summary>The parameters of <see cref="InsertAnalysisSql"/>.</summary>
    private static void BindAnalysis(System.Data.Common.DbCommand command, AnalysisRecord record)
    {
        Text(command, "@id", record.Id);
        Text(command, "@trace_id", record.TraceId);
        Text(command, "@status", record.Status.ToString().ToLowerInvariant());
        Text(command, "@origin", record.Origin);
        Text(command, "@source", record.Source);
        Text(command, "@created_at", record.CreatedAt.ToString("O", CultureInfo.InvariantCulture));
        Text(command, "@completed_at", record.CompletedAt?.ToString("O", CultureInfo.InvariantCulture));
        Text(command, "@result", record.Result is null ? null : JsonSerializer.Serialize(record.Result, ResultJson.Result));
        Text(command, "@error", record.Error);
        Text(command, "@subject", record.Subject);
        Text(command, "@trace_parent", record.TraceParent);
    }

    private static void Text(System.Data.Common.DbCommand command, string name, string? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.DbType = DbType.String;
        parameter.Value = (object?)value ?? DBNull.Value;
        command.Parameters.Add(parameter);
    }
}
