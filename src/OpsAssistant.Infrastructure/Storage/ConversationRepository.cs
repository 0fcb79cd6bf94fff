using System.Data;
using System.Data.Common;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using OpsAssistant.Core.Conversations;
using static OpsAssistant.Infrastructure.Storage.Sql;

namespace OpsAssistant.Infrastructure.Storage;

/// <summary>Chat conversations, turn by turn, in the same database as the traces and analyses they are about.</summary>
public sealed class ConversationRepository(RelationalDatabase database) : IConversationStore
{
    public async Task<Conversation?> GetAsync(string conversationId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
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
            catch (DbException ex) when (attempt < 10 && (IsUniqueViolation(ex) || StorageFailures.IsMisreportedBusy(ex)))
            {
                await Task.Delay(Random.Shared.Next(5, 20 * attempt), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>A primary-key clash (SQLite's constraint code 19; PostgreSQL's SQLSTATE 23505).</summary>
    private static bool IsUniqueViolation(DbException exception) =>
        exception.SqlState == "23505" || exception is Microsoft.Data.Sqlite.SqliteException { SqliteErrorCode: 19 };

    private async Task TryAppendAsync(string conversationId, IReadOnlyList<ChatTurn> turns, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
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
            Integer(insert, "@seq", next++);
            Text(insert, "@role", turn.Role);
            Text(insert, "@content", turn.Content);
            Text(insert, "@at", turn.At.ToString("O", CultureInfo.InvariantCulture));
            Text(insert, "@analysis_id", turn.AnalysisId);
            Text(insert, "@trace_id", turn.TraceId);
            await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }
}
