using System.Buffers;
using System.Data;
using System.Data.Common;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OpsAssistant.Core.Model;
using OpsAssistant.Core.Sources;
using OpsAssistant.Infrastructure.Telemetry;
using SQLitePCL;

namespace OpsAssistant.Infrastructure.Storage;

/// <summary>
/// Traces in the <see cref="RelationalDatabase"/>: a trace's spans live in <c>trace_chunks</c>, one row per ingest request
/// that carried any (<see cref="SpanChunkCodec"/>), with the span rows of older databases in <c>trace_spans</c> still read;
/// <c>trace_operations</c> lists each trace's (service, operation) pairs and <c>trace_index</c> keeps one row of aggregates
/// per trace, updated from the chunks in the same transaction, so searches never scan spans. Ingest is in
/// <c>TraceRepository.Ingest.cs</c>. Recently read traces are kept in a <see cref="StoredTraceCache"/> while their
/// revision is unchanged.
/// </summary>
public sealed partial class TraceRepository : ITraceStore
{
    /// <summary>The most summaries one search returns.</summary>
    public const int MaxSearchLimit = 1000;

    private readonly StoredTraceCache _cache = new(StorageOptions.DefaultTraceCacheSpans);
    private readonly ILogger _logger;
    private readonly GroupCommit<SpanBatch, int> _ingest;
    private volatile bool _legacySpansChecked;

    public TraceRepository(RelationalDatabase database, ILogger<TraceRepository>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(database);
        Database = database;
        _logger = logger ?? NullLogger<TraceRepository>.Instance;
        _ingest = CreateIngest();
    }

    public string Name => "store";

    /// <summary>The database the traces live in.</summary>
    public RelationalDatabase Database { get; }

    /// <summary>
    /// Spans of recently read traces kept for reuse while unchanged (<c>OpsAssistant:Storage:TraceCacheSpans</c>); 0 turns
    /// the cache off.
    /// </summary>
    public int TraceCacheSpans
    {
        get => _cache.CapacitySpans;
        init => _cache = new StoredTraceCache(value);
    }

    /// <summary>The cache itself, for tests.</summary>
    internal StoredTraceCache TraceCache => _cache;

    public async Task<int> AddSpansAsync(IReadOnlyCollection<Span> spans, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spans);
        if (spans.Count == 0)
        {
            return 0;
        }

        var batch = Prepare(spans);
        await _ingest.WriteAsync(batch, cancellationToken).ConfigureAwait(false);
        foreach (var id in batch.TraceIds)
        {
            _cache.Remove(id);
        }

        LogStored(_logger, spans.Count, batch.TraceIds.Length);
        return spans.Count;
    }

    public async Task<Trace?> GetTraceAsync(string traceId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(traceId);
        var normalized = TraceIds.NormalizeTraceId(traceId);
        await using var connection = await Database.OpenAsync(cancellationToken).ConfigureAwait(false);

        // The revision is read before the spans: spans ingested in between are newer than it, so the copy kept under it is
        // at worst fresher than its label, and the next read, seeing a higher revision, loads again.
        var revision = _cache.CapacitySpans > 0 ? await ReadRevisionAsync(connection, normalized, cancellationToken).ConfigureAwait(false) : null;
        if (revision is { } known && _cache.TryGet(normalized, known, out var cached))
        {
            OpsAssistantTelemetry.StoredTraceReads.Add(1, new KeyValuePair<string, object?>("opsassistant.outcome", "cached"));
            return cached;
        }

        var legacy = await HasLegacySpansAsync(connection, null, cancellationToken).ConfigureAwait(false);
        var spans = await ReadStoredSpansAsync(connection, normalized, legacy, cancellationToken).ConfigureAwait(false);
        if (spans.Count == 0)
        {
            return null;
        }

        var trace = new Trace(normalized, spans);
        if (revision is { } read)
        {
            _cache.Add(normalized, read, trace);
        }

        OpsAssistantTelemetry.StoredTraceReads.Add(1, new KeyValuePair<string, object?>("opsassistant.outcome", "loaded"));
        return trace;
    }

    /// <summary>
    /// A trace's spans: its rows in <c>trace_spans</c> from databases older than the chunks, then its chunks in the order
    /// they were written. A span stored more than once (an exporter's retry) is read once, its last copy, as the span
    /// table's upsert kept it; the spans come out in start order, then span ID. The chunks are decoded as they arrive, a
    /// large trace's on several cores (<see cref="ChunkDecodePipeline"/>).
    /// </summary>
    /// <param name="legacy">Whether the span table holds any rows (else it is not asked).</param>
    private static async Task<List<Span>> ReadStoredSpansAsync(DbConnection connection, string traceId, bool legacy, CancellationToken cancellationToken)
    {
        using var chunks = new ChunkDecodePipeline(traceId, Math.Min(Environment.ProcessorCount, ChunkDecodePipeline.MaxCores));
        var spans = new List<Span>();
        if (connection is SqliteConnection sqlite)
        {
            if (legacy)
            {
                ReadSqliteSpans(sqlite, traceId, chunks.Decoder, spans, cancellationToken);
            }

            ReadSqliteChunks(sqlite, traceId, chunks, cancellationToken);
        }
        else
        {
            if (legacy)
            {
                await ReadSpansAsync(connection, traceId, chunks.Decoder, spans, cancellationToken).ConfigureAwait(false);
            }

            await ReadChunksAsync(connection, traceId, chunks, cancellationToken).ConfigureAwait(false);
        }

        var sources = chunks.Chunks + (spans.Count > 0 ? 1 : 0);
        await chunks.AppendSpansToAsync(spans).ConfigureAwait(false);
        return sources > 1 ? StoredSpanOrder.LastCopiesInOrder(spans) : spans;
    }

    /// <summary>A trace's chunks in the order they were written, from <c>ix_trace_chunks_trace</c>.</summary>
    private const string SelectChunks = "SELECT payload FROM trace_chunks WHERE trace_id = @trace_id ORDER BY chunk_id";

    /// <summary>The chunks through the provider's reader (PostgreSQL), each through one pooled buffer into the decoding pipeline.</summary>
    private static async Task ReadChunksAsync(DbConnection connection, string traceId, ChunkDecodePipeline chunks, CancellationToken cancellationToken)
    {
        await using var command = Sql.Command(connection, null, SelectChunks);
        Sql.Parameter(command, "trace_id", DbType.String, traceId);
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            await using var reader = await command.ExecuteReaderAsync(CommandBehavior.SequentialAccess, cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var length = checked((int)reader.GetBytes(0, 0, null, 0, 0));
                if (length > buffer.Length)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = ArrayPool<byte>.Shared.Rent(length);
                }

                var read = checked((int)reader.GetBytes(0, 0, buffer, 0, length));
                chunks.Add(buffer.AsSpan(0, read));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The chunks straight from SQLite's statement: each payload goes from the bytes SQLite holds for the row into the pipeline.</summary>
    private static void ReadSqliteChunks(SqliteConnection connection, string traceId, ChunkDecodePipeline chunks, CancellationToken cancellationToken)
    {
        var db = connection.Handle!;
        using var statement = Prepare(db, SqliteSelectChunks);
        Check(db, raw.sqlite3_bind_text(statement, 1, traceId));
        while (Row(db, statement))
        {
            cancellationToken.ThrowIfCancellationRequested();
            chunks.Add(raw.sqlite3_column_blob(statement, 0));
        }
    }

    /// <summary><see cref="SelectChunks"/> with SQLite's positional parameter, for the statement stepped through SQLitePCL.</summary>
    private static readonly string SqliteSelectChunks = SelectChunks.Replace("@trace_id", "?1", StringComparison.Ordinal);

    /// <summary><see cref="SelectSpans"/> with SQLite's positional parameter.</summary>
    private static readonly string SqliteSelectSpans = SelectSpans.Replace("@trace_id", "?1", StringComparison.Ordinal);

    /// <summary>A trace's rows in the span table of older databases, in start order from <c>ix_trace_spans_trace_start</c>.</summary>
    private const string SelectSpans = """
        SELECT span_id, parent_span_id, name, start_ns, end_ns, payload
        FROM trace_spans WHERE trace_id = @trace_id ORDER BY start_ns, span_id
        """;

    /// <summary>
    /// The rows through the provider's reader (PostgreSQL): payloads are copied into one pooled buffer rather than an array
    /// per row, and canonical span IDs become numbers.
    /// </summary>
    private static async Task ReadSpansAsync(DbConnection connection, string traceId, SpanPayloadDecoder decoder, List<Span> spans, CancellationToken cancellationToken)
    {
        await using var command = Sql.Command(connection, null, SelectSpans);
        Sql.Parameter(command, "trace_id", DbType.String, traceId);

        // Every row's trace_id equals the key it was selected by, so the spans share that one string.
        var buffer = ArrayPool<byte>.Shared.Rent(4096);
        try
        {
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var spanId = reader.GetString(0);
                var parentSpanId = await reader.IsDBNullAsync(1, cancellationToken).ConfigureAwait(false) ? null : reader.GetString(1);
                var length = checked((int)reader.GetBytes(5, 0, null, 0, 0));
                if (length > buffer.Length)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = ArrayPool<byte>.Shared.Rent(length);
                }

                var read = checked((int)reader.GetBytes(5, 0, buffer, 0, length));
                var (idText, id) = SpanPayloadDecoder.TryParseSpanId(spanId, out var idNumber) ? (null, idNumber) : (spanId, 0UL);
                var (parentText, parent) = parentSpanId is not null && SpanPayloadDecoder.TryParseSpanId(parentSpanId, out var parentNumber) && parentNumber != 0
                    ? (null, parentNumber)
                    : (parentSpanId, 0UL);
                spans.Add(decoder.Decode(traceId, idText, id, parentText, parent, decoder.Name(reader.GetString(2)), reader.GetInt64(3), reader.GetInt64(4), buffer.AsSpan(0, read)));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// The rows straight from SQLite's statement on the pooled connection: IDs, names and payloads are decoded from the
    /// bytes SQLite holds for the current row, so no column becomes a string or an array on its way to the decoder
    /// (Microsoft.Data.Sqlite's reader makes one of each per row and column, most of a large trace's read time).
    /// </summary>
    private static void ReadSqliteSpans(SqliteConnection connection, string traceId, SpanPayloadDecoder decoder, List<Span> spans, CancellationToken cancellationToken)
    {
        var db = connection.Handle!;
        using var statement = Prepare(db, SqliteSelectSpans);
        Check(db, raw.sqlite3_bind_text(statement, 1, traceId));
        while (Row(db, statement))
        {
            if ((spans.Count & 1023) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            // sqlite3_column_blob hands a TEXT column's bytes as they are stored (UTF-8), valid until the next step.
            var spanIdBytes = raw.sqlite3_column_blob(statement, 0);
            var (idText, id) = SpanPayloadDecoder.TryParseSpanId(spanIdBytes, out var idNumber) ? (null, idNumber) : (Encoding.UTF8.GetString(spanIdBytes), 0UL);
            string? parentText = null;
            ulong parent = 0;
            if (raw.sqlite3_column_type(statement, 1) != raw.SQLITE_NULL)
            {
                var parentBytes = raw.sqlite3_column_blob(statement, 1);
                if (!SpanPayloadDecoder.TryParseSpanId(parentBytes, out parent) || parent == 0)
                {
                    (parentText, parent) = (Encoding.UTF8.GetString(parentBytes), 0);
                }
            }

            var name = decoder.Name(raw.sqlite3_column_blob(statement, 2));
            spans.Add(decoder.Decode(
                traceId,
                idText,
                id,
                parentText,
                parent,
                name,
                raw.sqlite3_column_int64(statement, 3),
                raw.sqlite3_column_int64(statement, 4),
                raw.sqlite3_column_blob(statement, 5)));
        }
    }

    /// <summary>The trace's revision in <c>trace_index</c>, or null when it has no row there.</summary>
    private static async Task<long?> ReadRevisionAsync(DbConnection connection, string traceId, CancellationToken cancellationToken)
    {
        await using var command = Sql.Command(connection, null, "SELECT revision FROM trace_index WHERE trace_id = @trace_id");
        Sql.Parameter(command, "trace_id", DbType.String, traceId);
        var value = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return value is null or DBNull ? null : Convert.ToInt64(value, CultureInfo.InvariantCulture);
    }

    [SuppressMessage("Security", "CA2100:Review SQL queries for security vulnerabilities", Justification = "The SQL is assembled from constant fragments only; every query value is bound as a parameter.")]
    public async Task<IReadOnlyList<TraceSummary>> SearchAsync(TraceQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        await using var connection = await Database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Sql.Command(connection, null, "");

        // Only the criteria given become SQL: PostgreSQL cannot infer a type for "@p IS NULL" on a null parameter.
        var sql = new StringBuilder("SELECT t.trace_id, t.start_ns, t.end_ns, t.span_count, t.error_count, t.root_service, t.root_name FROM trace_index t WHERE 1 = 1");
        if (query.From is { } from)
        {
            sql.Append(" AND t.start_ns >= @from");
            Sql.Parameter(command, "from", DbType.Int64, ToUnixNano(from));
        }

        if (query.To is { } to)
        {
            sql.Append(" AND t.start_ns <= @to");
            Sql.Parameter(command, "to", DbType.Int64, ToUnixNano(to));
        }

        if (query.HasError is { } hasError)
        {
            sql.Append(hasError ? " AND t.error_count > 0" : " AND t.error_count = 0");
        }

        if (!string.IsNullOrEmpty(query.Service) || !string.IsNullOrEmpty(query.Operation))
        {
            // Service and operation name the same span, as Jaeger's search does.
            sql.Append(" AND EXISTS (SELECT 1 FROM trace_operations s WHERE s.trace_id = t.trace_id");
            if (!string.IsNullOrEmpty(query.Service))
            {
                sql.Append(" AND s.service = @service");
                Sql.Parameter(command, "service", DbType.String, query.Service);
            }

            if (!string.IsNullOrEmpty(query.Operation))
            {
                sql.Append(" AND s.name = @operation");
                Sql.Parameter(command, "operation", DbType.String, query.Operation);
            }

            sql.Append(')');
        }

        sql.Append(" ORDER BY t.start_ns DESC, t.trace_id LIMIT @limit");
        Sql.Parameter(command, "limit", DbType.Int32, Math.Clamp(query.Limit, 1, MaxSearchLimit));
        command.CommandText = sql.ToString();

        var rows = new List<(string TraceId, long Start, long End, long Spans, long Errors, string Service, string Name)>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                rows.Add((reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4), reader.GetString(5), reader.GetString(6)));
            }
        }

        var services = await ReadServicesAsync(connection, rows.Select(r => r.TraceId).ToList(), cancellationToken).ConfigureAwait(false);
        return rows.Select(r => new TraceSummary(
            r.TraceId,
            r.Service,
            r.Name,
            DateTimeOffset.UnixEpoch.AddTicks(r.Start / 100),
            Math.Max(0, r.End - r.Start) / 1_000_000.0,
            (int)r.Spans,
            (int)r.Errors,
            services.TryGetValue(r.TraceId, out var list) ? list : [])).ToList();
    }

    private static long ToUnixNano(DateTimeOffset value) => (value.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100;

    [SuppressMessage("Security", "CA2100:Review SQL queries for security vulnerabilities", Justification = "The IN list holds generated parameter names (@t0, @t1, ...); the trace IDs are bound as their values.")]
    private static async Task<Dictionary<string, IReadOnlyList<string>>> ReadServicesAsync(DbConnection connection, List<string> traceIds, CancellationToken cancellationToken)
    {
        var result = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        if (traceIds.Count == 0)
        {
            return result;
        }

        await using var command = Sql.Command(connection, null, "");
        var names = new List<string>(traceIds.Count);
        for (var i = 0; i < traceIds.Count; i++)
        {
            names.Add("@t" + i.ToString(CultureInfo.InvariantCulture));
            Sql.Parameter(command, "t" + i.ToString(CultureInfo.InvariantCulture), DbType.String, traceIds[i]);
        }

        command.CommandText = $"SELECT DISTINCT trace_id, service FROM trace_operations WHERE trace_id IN ({string.Join(", ", names)}) ORDER BY trace_id, service";
        var lists = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var traceId = reader.GetString(0);
            if (!lists.TryGetValue(traceId, out var list))
            {
                lists[traceId] = list = [];
            }

            list.Add(reader.GetString(1));
        }

        foreach (var (traceId, list) in lists)
        {
            result[traceId] = list;
        }

        return result;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Stored {SpanCount} spans of {TraceCount} traces")]
    private static partial void LogStored(ILogger logger, int spanCount, int traceCount);
}
