using System.Buffers;
using System.Data;
using System.Data.Common;
using OpsAssistant.Core.Incidents;
using OpsAssistant.Core.Model;
using OpsAssistant.Infrastructure.Storage;

namespace OpsAssistant.Infrastructure.Incidents;

/// <summary>
/// Reads one service's traces of a window from the embedded store: the window's traces come from <c>trace_index</c> by
/// start time, those with the service from <c>trace_operations</c>, then their chunks in one query ordered by trace, of
/// which only the service's spans are decoded. Each trace is reduced to an <see cref="IncidentTrace"/> as soon as its
/// chunks have passed, so memory holds one trace's spans at a time. Past the limit the traces with the lowest IDs are
/// taken: trace IDs are random, so that is a uniform sample. Spans that older databases keep in <c>trace_spans</c> are
/// read by a second query, only when that table holds any.
/// </summary>
/// <remarks>
/// The window's trace IDs are the outer loop (<c>CROSS JOIN</c>), so both databases look chunks up by trace ID; the
/// service is checked per trace through <c>trace_operations</c>' primary key (trace, service, name).
/// </remarks>
internal sealed class StoreIncidentWindowReader(RelationalDatabase store) : IIncidentWindowReader
{
    private const string Window = """
        WITH w AS (
            SELECT t.trace_id FROM trace_index t
            WHERE t.start_ns >= @from_ns AND t.start_ns < @to_ns
              AND EXISTS (SELECT 1 FROM trace_operations o WHERE o.trace_id = t.trace_id AND o.service = @service)
            ORDER BY t.trace_id
            LIMIT @limit)
        """;

    private const string ChunkSql = Window + """
        SELECT w.trace_id, c.payload
        FROM w CROSS JOIN trace_chunks c
        WHERE c.trace_id = w.trace_id
        ORDER BY w.trace_id, c.chunk_id
        """;

    /// <summary>The window's traces alone: a trace whose spans are all in <c>trace_spans</c> has no chunk to be met by.</summary>
    private const string TraceSql = Window + "SELECT w.trace_id FROM w ORDER BY w.trace_id";

    private const string LegacySql = Window + """
        SELECT s.trace_id, s.span_id, s.parent_span_id, s.name, s.start_ns, s.end_ns, s.payload
        FROM w CROSS JOIN trace_spans s
        WHERE s.trace_id = w.trace_id AND s.service || '' = @service
        ORDER BY s.trace_id, s.start_ns, s.span_id
        """;

    public async Task<IncidentWindow> ReadAsync(string service, IncidentTimeRange window, int maxTraces, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(service);
        ArgumentNullException.ThrowIfNull(window);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxTraces, 1);

        await using var connection = await store.OpenAsync(cancellationToken).ConfigureAwait(false);
        var decoder = new SpanPayloadDecoder();
        var legacy = await ReadLegacyAsync(connection, decoder, service, window, maxTraces, cancellationToken).ConfigureAwait(false);

        var traces = new List<IncidentTrace>();
        var spans = new List<Span>();
        if (legacy is not null)
        {
            // An older database: the window's traces, then each from its span rows and its chunks.
            var ids = new List<string>();
            await using (var command = Command(connection, TraceSql, service, window, maxTraces))
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    ids.Add(reader.GetString(0));
                }
            }

            foreach (var traceId in ids.Take(maxTraces))
            {
                spans.AddRange(legacy.GetValueOrDefault(traceId) ?? []);
                var sources = (spans.Count > 0 ? 1 : 0) + await ReadChunksOfAsync(connection, decoder, traceId, service, spans, cancellationToken).ConfigureAwait(false);
                Flush(traces, traceId, spans, sources, service);
            }

            return new IncidentWindow(traces, ids.Count > maxTraces);
        }

        string? current = null;
        var chunks = 0;
        var count = 0;
        await using (var command = Command(connection, ChunkSql, service, window, maxTraces))
        await using (var reader = await command.ExecuteReaderAsync(CommandBehavior.SequentialAccess, cancellationToken).ConfigureAwait(false))
        {
            var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
            try
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    var traceId = reader.GetString(0);
                    if (!string.Equals(traceId, current, StringComparison.Ordinal))
                    {
                        Flush(traces, current, spans, chunks, service);
                        (current, chunks) = (traceId, 0);
                        if (++count > maxTraces)
                        {
                            break;
                        }
                    }

                    var payload = ReadPayload(reader, 1, ref buffer);
                    decoder.DecodeChunk(traceId, payload, spans, service);
                    chunks++;
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        if (count <= maxTraces)
        {
            Flush(traces, current, spans, chunks, service);
        }

        return new IncidentWindow(traces, count > maxTraces);
    }

    private static DbCommand Command(DbConnection connection, string sql, string service, IncidentTimeRange window, int maxTraces) =>
        IncidentSql.Command(connection, sql,
            ("from_ns", DbType.Int64, IncidentSql.UnixNano(window.From)),
            ("to_ns", DbType.Int64, IncidentSql.UnixNano(window.To)),
            ("service", DbType.String, service),
            ("limit", DbType.Int32, maxTraces + 1));

    private static ReadOnlySpan<byte> ReadPayload(DbDataReader reader, int column, ref byte[] buffer)
    {
        var length = checked((int)reader.GetBytes(column, 0, null, 0, 0));
        if (length > buffer.Length)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            buffer = ArrayPool<byte>.Shared.Rent(length);
        }

        return buffer.AsSpan(0, checked((int)reader.GetBytes(column, 0, buffer, 0, length)));
    }

    /// <summary>
    /// The service's spans of the window's traces from the span table of older databases, by trace; null when that table
    /// is empty (every database written since the chunks, and any older one whose traces have all been rewritten).
    /// </summary>
    private static async Task<Dictionary<string, List<Span>>?> ReadLegacyAsync(
        DbConnection connection, SpanPayloadDecoder decoder, string service, IncidentTimeRange window, int maxTraces, CancellationToken cancellationToken)
    {
        await using (var probe = IncidentSql.Command(connection, "SELECT 1 FROM trace_spans LIMIT 1"))
        {
            if (await probe.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is null)
            {
                return null;
            }
        }

        var byTrace = new Dictionary<string, List<Span>>(StringComparer.Ordinal);
        await using var command = Command(connection, LegacySql, service, window, maxTraces);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var traceId = reader.GetString(0);
            if (!byTrace.TryGetValue(traceId, out var list))
            {
                byTrace[traceId] = list = [];
            }

            list.Add(decoder.Decode(new SpanRow(
                traceId,
                reader.GetString(1),
                await reader.IsDBNullAsync(2, cancellationToken).ConfigureAwait(false) ? null : reader.GetString(2),
                reader.GetString(3),
                reader.GetInt64(4),
                reader.GetInt64(5),
                (byte[])reader.GetValue(6))));
        }

        return byTrace;
    }

    private static async Task<int> ReadChunksOfAsync(DbConnection connection, SpanPayloadDecoder decoder, string traceId, string service, List<Span> spans, CancellationToken cancellationToken)
    {
        await using var command = IncidentSql.Command(connection, "SELECT payload FROM trace_chunks WHERE trace_id = @trace_id ORDER BY chunk_id", ("trace_id", DbType.String, traceId));
        await using var reader = await command.ExecuteReaderAsync(CommandBehavior.SequentialAccess, cancellationToken).ConfigureAwait(false);
        var chunks = 0;
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                decoder.DecodeChunk(traceId, ReadPayload(reader, 0, ref buffer), spans, service);
                chunks++;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return chunks;
    }

    /// <param name="sources">How many stored pieces the spans came from; from more than one, a re-sent span is read once.</param>
    private static void Flush(List<IncidentTrace> traces, string? traceId, List<Span> spans, int sources, string service)
    {
        var read = sources > 1 ? StoredSpanOrder.LastCopiesInOrder(spans) : spans;
        if (traceId is not null && IncidentDimensions.Extract(traceId, read, service) is { } trace)
        {
            traces.Add(trace);
        }

        spans.Clear();
    }
}
