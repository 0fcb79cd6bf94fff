using System.Data.Common;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;
using Npgsql;
using NpgsqlTypes;
using OpsAssistant.Core.Model;
using SQLitePCL;

namespace OpsAssistant.Infrastructure.Storage;

/// <summary>
/// Ingest: a request's spans are normalised, deduplicated, split by trace and encoded into one chunk per trace
/// (<see cref="SpanChunkCodec"/>) on the caller's thread, then written through a <see cref="GroupCommit{TRequest,TResult}"/>,
/// so concurrent requests share one transaction. Inside it each chunk is one row of <c>trace_chunks</c>, each distinct
/// (trace, service, operation) one row of <c>trace_operations</c>, and each trace's <c>trace_index</c> row is updated from
/// the chunks' aggregates (extent, counts, root candidate) without reading the trace's earlier spans. SQLite: prepared
/// statements stepped through SQLite's own API; PostgreSQL: array-bound statements in two batches (locks and stored keys;
/// chunks, operations and index), so a group costs three round trips with its commit.
/// </summary>
public sealed partial class TraceRepository
{
    /// <summary>Spans one shared transaction holds at most; a bigger single request still goes alone.</summary>
    internal const int MaxGroupSpans = 20_000;

    /// <summary>The first key of the per-trace advisory locks (two-key locks do not collide with the one-key migration lock).</summary>
    private const int TraceLockSpace = 0x4f707354;

    /// <summary>A span ID in the store is 16 characters, as the span table's check required; others fail the request.</summary>
    private const int SpanIdLength = 16;

    private const string ChunkColumns = "trace_id, start_ns, end_ns, span_count, error_count, invalid_span_ids, span_keys, payload";

    private const string IndexColumns = "trace_id, start_ns, end_ns, span_count, error_count, root_service, root_name, root_rank, root_start_ns, revision";

    /// <summary>
    /// Folds a group's aggregates into a trace's row. The root is the best candidate seen so far: a parentless span (rank 0)
    /// before a span whose parent was not in its chunk (rank 1) before any span (rank 2), earlier first; on a tie the newer
    /// chunk wins, so a re-sent root replaces the stored copy.
    /// </summary>
    private const string IndexUpsertTail = """
        ON CONFLICT (trace_id) DO UPDATE SET
            start_ns = CASE WHEN excluded.start_ns < trace_index.start_ns THEN excluded.start_ns ELSE trace_index.start_ns END,
            end_ns = CASE WHEN excluded.end_ns > trace_index.end_ns THEN excluded.end_ns ELSE trace_index.end_ns END,
            span_count = trace_index.span_count + excluded.span_count,
            error_count = trace_index.error_count + excluded.error_count,
            root_service = CASE WHEN {newer} THEN excluded.root_service ELSE trace_index.root_service END,
            root_name = CASE WHEN {newer} THEN excluded.root_name ELSE trace_index.root_name END,
            root_rank = CASE WHEN {newer} THEN excluded.root_rank ELSE trace_index.root_rank END,
            root_start_ns = CASE WHEN {newer} THEN excluded.root_start_ns ELSE trace_index.root_start_ns END,
            revision = trace_index.revision + 1
        """;

    private static readonly string IndexUpsert = IndexUpsertTail.Replace(
        "{newer}",
        "(excluded.root_rank < trace_index.root_rank OR (excluded.root_rank = trace_index.root_rank AND excluded.root_start_ns <= trace_index.root_start_ns))",
        StringComparison.Ordinal);

    /// <summary>Ingest groups committed so far; fewer than ingest calls means concurrent requests shared commits.</summary>
    internal long IngestCommits => _ingest.Groups;

    private GroupCommit<SpanBatch, int> CreateIngest() => new(
        Database,
        WriteGroupAsync,
        batch => batch.SpanCount,
        MaxGroupSpans,
        Database.Dialect == SqlDialect.Sqlite ? 1 : Math.Max(2, Environment.ProcessorCount));

    /// <summary>
    /// One request's spans as one chunk per trace, in trace order. A span sent twice in the request keeps its last copy, as
    /// when spans were upserted one by one.
    /// </summary>
    private static SpanBatch Prepare(IReadOnlyCollection<Span> spans)
    {
        var traces = new Dictionary<string, TraceSpans>(StringComparer.Ordinal);
        string? lastRaw = null;
        TraceSpans? last = null;
        foreach (var span in spans)
        {
            // Consecutive spans of a request mostly share their trace ID's string: normalise and look it up once per run.
            if (last is null || !ReferenceEquals(span.TraceId, lastRaw))
            {
                lastRaw = span.TraceId;
                var traceId = TraceIds.NormalizeTraceId(span.TraceId ?? "");
                if (!traces.TryGetValue(traceId, out last))
                {
                    traces[traceId] = last = new TraceSpans(traceId);
                }
            }

            last.Add(ChunkSpan.From(span));
        }

        var chunks = new ChunkWrite[traces.Count];
        var i = 0;
        foreach (var trace in traces.Values.OrderBy(t => t.TraceId, StringComparer.Ordinal))
        {
            chunks[i++] = trace.ToChunk();
        }

        return new SpanBatch(chunks, spans.Count, [.. chunks.Select(c => c.TraceId)]);
    }

    private async Task<int[]> WriteGroupAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<SpanBatch> group, CancellationToken cancellationToken)
    {
        var chunks = group.Count == 1 ? group[0].Chunks : [.. group.SelectMany(b => b.Chunks)];
        var traceIds = group.Count == 1 ? group[0].TraceIds : [.. chunks.Select(c => c.TraceId).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
        var legacy = await HasLegacySpansAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
        if (connection is NpgsqlConnection npgsql)
        {
            var stored = await LockAndReadStoredKeysAsync(npgsql, transaction, traceIds, legacy, cancellationToken).ConfigureAwait(false);
            await WritePostgresAsync(npgsql, transaction, chunks, Operations(chunks), IndexRows(chunks, stored), cancellationToken).ConfigureAwait(false);
        }
        else
        {
            var sqlite = (SqliteConnection)connection;
            var stored = ReadStoredKeys(sqlite, traceIds, legacy);
            WriteSqlite(sqlite, chunks, Operations(chunks), IndexRows(chunks, stored));
        }

        return [.. group.Select(b => b.SpanCount)];
    }

    /// <summary>
    /// The group's chunks folded into one <c>trace_index</c> change per trace, in trace order. A span already stored (in
    /// <paramref name="stored"/>, or in an earlier chunk of the group) replaces its copy: it is not counted again, and its
    /// error counts as the new copy's.
    /// </summary>
    private static List<IndexRow> IndexRows(ChunkWrite[] chunks, Dictionary<string, Dictionary<(ulong, string?), bool>> stored)
    {
        var perTrace = chunks.CountBy(c => c.TraceId, StringComparer.Ordinal).ToDictionary(StringComparer.Ordinal);
        var rows = new Dictionary<string, IndexRow>(StringComparer.Ordinal);
        foreach (var chunk in chunks)
        {
            long spans = chunk.Spans, errors = chunk.Errors;
            if (perTrace[chunk.TraceId] > 1 || stored.ContainsKey(chunk.TraceId))
            {
                if (!stored.TryGetValue(chunk.TraceId, out var known))
                {
                    stored[chunk.TraceId] = known = [];
                }

                foreach (var (id, text, error) in chunk.Keys)
                {
                    if (known.TryGetValue((id, text), out var wasError))
                    {
                        spans--;
                        errors -= wasError ? 1 : 0;
                    }

                    known[(id, text)] = error;
                }
            }

            var row = new IndexRow(chunk.TraceId, chunk.Start, chunk.End, spans, errors, chunk.Root);
            rows[chunk.TraceId] = rows.TryGetValue(chunk.TraceId, out var earlier) ? earlier.With(row) : row;
        }

        var ordered = rows.Values.ToList();
        ordered.Sort(static (a, b) => string.CompareOrdinal(a.TraceId, b.TraceId));
        return ordered;
    }

    /// <summary>The distinct (trace, service, operation) triples of the group, in key order.</summary>
    private static List<(string TraceId, string Service, string Name)> Operations(ChunkWrite[] chunks)
    {
        var distinct = new HashSet<(string, string, string)>();
        foreach (var chunk in chunks)
        {
            foreach (var (service, name) in chunk.Operations)
            {
                distinct.Add((chunk.TraceId, service, name));
            }
        }

        var ordered = distinct.ToList();
        ordered.Sort(static (a, b) =>
            string.CompareOrdinal(a.Item1, b.Item1) is var t and not 0 ? t
            : string.CompareOrdinal(a.Item2, b.Item2) is var s and not 0 ? s
            : string.CompareOrdinal(a.Item3, b.Item3));
        return ordered;
    }

    /// <summary>
    /// SQLite: three prepared statements stepped through SQLite's own API inside the group's transaction (the provider's
    /// parameter objects cost more than the inserts themselves).
    /// </summary>
    private static void WriteSqlite(SqliteConnection connection, ChunkWrite[] chunks, List<(string TraceId, string Service, string Name)> operations, List<IndexRow> index)
    {
        var db = connection.Handle!;
        using (var insert = Prepare(db, $"INSERT INTO trace_chunks ({ChunkColumns}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"))
        {
            foreach (var chunk in chunks)
            {
                Check(db, raw.sqlite3_bind_text(insert, 1, chunk.TraceId));
                Check(db, raw.sqlite3_bind_int64(insert, 2, chunk.Start));
                Check(db, raw.sqlite3_bind_int64(insert, 3, chunk.End));
                Check(db, raw.sqlite3_bind_int64(insert, 4, chunk.Spans));
                Check(db, raw.sqlite3_bind_int64(insert, 5, chunk.Errors));
                Check(db, raw.sqlite3_bind_int64(insert, 6, chunk.InvalidIds));
                Check(db, raw.sqlite3_bind_blob(insert, 7, chunk.SpanKeys));
                Check(db, raw.sqlite3_bind_blob(insert, 8, chunk.Payload));
                Step(db, insert);
            }
        }

        using (var insert = Prepare(db, "INSERT INTO trace_operations (trace_id, service, name) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING"))
        {
            // Bindings outlive a reset: in key order, trace and service change far less often than the name.
            string? boundTrace = null, boundService = null;
            foreach (var (traceId, service, name) in operations)
            {
                if (!ReferenceEquals(traceId, boundTrace))
                {
                    Check(db, raw.sqlite3_bind_text(insert, 1, boundTrace = traceId));
                }

                if (!ReferenceEquals(service, boundService))
                {
                    Check(db, raw.sqlite3_bind_text(insert, 2, boundService = service));
                }

                Check(db, raw.sqlite3_bind_text(insert, 3, name));
                Step(db, insert);
            }
        }

        using (var upsert = Prepare(db, $"INSERT INTO trace_index ({IndexColumns}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 1) {IndexUpsert}"))
        {
            foreach (var row in index)
            {
                Check(db, raw.sqlite3_bind_text(upsert, 1, row.TraceId));
                Check(db, raw.sqlite3_bind_int64(upsert, 2, row.Start));
                Check(db, raw.sqlite3_bind_int64(upsert, 3, row.End));
                Check(db, raw.sqlite3_bind_int64(upsert, 4, row.Spans));
                Check(db, raw.sqlite3_bind_int64(upsert, 5, row.Errors));
                Check(db, raw.sqlite3_bind_text(upsert, 6, row.Root.Service));
                Check(db, raw.sqlite3_bind_text(upsert, 7, row.Root.Name));
                Check(db, raw.sqlite3_bind_int64(upsert, 8, row.Root.Rank));
                Check(db, raw.sqlite3_bind_int64(upsert, 9, row.Root.Start));
                Step(db, upsert);
            }
        }
    }

    /// <summary>
    /// Whether the span table of older databases holds rows. Nothing writes it any more, so once it is found empty it
    /// stays empty and is not asked again.
    /// </summary>
    private async Task<bool> HasLegacySpansAsync(DbConnection connection, DbTransaction? transaction, CancellationToken cancellationToken)
    {
        if (_legacySpansChecked)
        {
            return false;
        }

        await using var command = Sql.Command(connection, transaction, "SELECT 1 FROM trace_spans LIMIT 1");
        var any = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not null;
        _legacySpansChecked = !any;
        return any;
    }

    /// <summary>SQLite: the keys already stored for each of the group's traces that has any (older span rows first).</summary>
    private static Dictionary<string, Dictionary<(ulong, string?), bool>> ReadStoredKeys(SqliteConnection connection, string[] traceIds, bool legacy)
    {
        var stored = new Dictionary<string, Dictionary<(ulong, string?), bool>>(StringComparer.Ordinal);
        var db = connection.Handle!;
        using var legacyKeys = legacy ? Prepare(db, "SELECT span_id, is_error FROM trace_spans WHERE trace_id = ?1") : null;
        using var chunkKeys = Prepare(db, "SELECT span_keys FROM trace_chunks WHERE trace_id = ?1 ORDER BY chunk_id");
        foreach (var traceId in traceIds)
        {
            Dictionary<(ulong, string?), bool>? known = null;
            if (legacyKeys is not null)
            {
                Check(db, raw.sqlite3_bind_text(legacyKeys, 1, traceId));
                while (Row(db, legacyKeys))
                {
                    known ??= [];
                    known[LegacyKey(raw.sqlite3_column_text(legacyKeys, 0).utf8_to_string())] = raw.sqlite3_column_int64(legacyKeys, 1) != 0;
                }
            }

            Check(db, raw.sqlite3_bind_text(chunkKeys, 1, traceId));
            while (Row(db, chunkKeys))
            {
                SpanChunkCodec.ReadKeys(raw.sqlite3_column_blob(chunkKeys, 0), known ??= []);
            }

            if (known is not null)
            {
                stored[traceId] = known;
            }
        }

        return stored;
    }

    /// <summary>
    /// PostgreSQL: the group's traces locked, then the keys already stored for each of them that has any (older span rows
    /// first), as <see cref="ReadStoredKeys"/> reads them: one batch, one round trip. Under READ COMMITTED two writers adding
    /// the same span to one trace would each miss the other's uncommitted chunk and both count it; a transaction-scoped
    /// advisory lock per trace (taken in one global order, so writers cannot deadlock) makes the second read the stored keys
    /// after the first committed. The reads are statements of their own after the lock's, so each takes its snapshot once
    /// the locks are held. SQLite's single writer already serialises them.
    /// </summary>
    [SuppressMessage("Security", "CA2100:Review SQL queries for security vulnerabilities", Justification = "The SQL is constant apart from the lock space constant; the trace IDs are bound as a parameter.")]
    private static async Task<Dictionary<string, Dictionary<(ulong, string?), bool>>> LockAndReadStoredKeysAsync(
        NpgsqlConnection connection, DbTransaction transaction, string[] traceIds, bool legacy, CancellationToken cancellationToken)
    {
        var stored = new Dictionary<string, Dictionary<(ulong, string?), bool>>(StringComparer.Ordinal);
        Dictionary<(ulong, string?), bool> KnownOf(string traceId) =>
            stored.TryGetValue(traceId, out var known) ? known : stored[traceId] = [];

        await using var batch = new NpgsqlBatch(connection, (NpgsqlTransaction)transaction);
        batch.BatchCommands.Add(TraceIdsCommand(
            $"SELECT count(pg_advisory_xact_lock({TraceLockSpace}, h)) FROM (SELECT DISTINCT hashtext(t) AS h FROM unnest($1) AS t ORDER BY h) AS ordered",
            traceIds));
        if (legacy)
        {
            batch.BatchCommands.Add(TraceIdsCommand("SELECT trace_id, span_id, is_error FROM trace_spans WHERE trace_id = ANY($1)", traceIds));
        }

        batch.BatchCommands.Add(TraceIdsCommand("SELECT trace_id, span_keys FROM trace_chunks WHERE trace_id = ANY($1) ORDER BY trace_id, chunk_id", traceIds));
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        if (legacy)
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                KnownOf(reader.GetString(0))[LegacyKey(reader.GetString(1))] = reader.GetInt16(2) != 0;
            }

            await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        }

        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            SpanChunkCodec.ReadKeys(await reader.GetFieldValueAsync<byte[]>(1, cancellationToken).ConfigureAwait(false), KnownOf(reader.GetString(0)));
        }

        return stored;
    }

    private static NpgsqlBatchCommand TraceIdsCommand(string sql, string[] traceIds) =>
        new(sql) { Parameters = { new NpgsqlParameter<string[]> { TypedValue = traceIds, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text } } };

    /// <summary>A span ID as the span table stored it (lower-case), as a key of the chunks' form.</summary>
    private static (ulong, string?) LegacyKey(string spanId) => SpanPayloadDecoder.TryParseSpanId(spanId, out var id) ? (id, null) : (0, spanId);

    private static bool Row(sqlite3 db, sqlite3_stmt statement)
    {
        var rc = raw.sqlite3_step(statement);
        if (rc == raw.SQLITE_ROW)
        {
            return true;
        }

        raw.sqlite3_reset(statement);
        if (rc != raw.SQLITE_DONE)
        {
            SqliteException.ThrowExceptionForRC(rc, db);
        }

        return false;
    }

    private static sqlite3_stmt Prepare(sqlite3 db, string sql)
    {
        var rc = raw.sqlite3_prepare_v2(db, sql, out var statement);
        if (rc != raw.SQLITE_OK)
        {
            statement.Dispose();
            SqliteException.ThrowExceptionForRC(rc, db);
        }

        return statement;
    }

    private static void Step(sqlite3 db, sqlite3_stmt statement)
    {
        var rc = raw.sqlite3_step(statement);
        raw.sqlite3_reset(statement);
        if (rc != raw.SQLITE_DONE)
        {
            SqliteException.ThrowExceptionForRC(rc, db);
        }
    }

    private static void Check(sqlite3 db, int rc) => SqliteException.ThrowExceptionForRC(rc, db);

    /// <summary>
    /// PostgreSQL: the group's chunks, operations and <c>trace_index</c> changes as three statements over bound arrays in
    /// one batch (one round trip). The chunks are appended rows with no conflicts to resolve; the operations and index rows
    /// go in key order, so concurrent writers lock the rows they share in the same order. The index upsert reads the
    /// committed row, so writers adding to one trace at once each add their own share without losing the other's.
    /// </summary>
    [SuppressMessage("Security", "CA2100:Review SQL queries for security vulnerabilities", Justification = "The SQL is assembled from constants; every value is bound as an array parameter.")]
    private static async Task WritePostgresAsync(
        NpgsqlConnection connection, DbTransaction transaction, ChunkWrite[] chunks, List<(string TraceId, string Service, string Name)> operations, List<IndexRow> index, CancellationToken cancellationToken)
    {
        await using var batch = new NpgsqlBatch(connection, (NpgsqlTransaction)transaction);
        batch.BatchCommands.Add(Arrays(
            $"INSERT INTO trace_chunks ({ChunkColumns}) SELECT * FROM unnest($1, $2, $3, $4, $5, $6, $7, $8)",
            Column(chunks, c => c.TraceId, NpgsqlDbType.Text),
            Column(chunks, c => c.Start, NpgsqlDbType.Bigint),
            Column(chunks, c => c.End, NpgsqlDbType.Bigint),
            Column(chunks, c => (long)c.Spans, NpgsqlDbType.Bigint),
            Column(chunks, c => (long)c.Errors, NpgsqlDbType.Bigint),
            Column(chunks, c => (long)c.InvalidIds, NpgsqlDbType.Bigint),
            Column(chunks, c => c.SpanKeys, NpgsqlDbType.Bytea),
            Column(chunks, c => c.Payload, NpgsqlDbType.Bytea)));
        batch.BatchCommands.Add(Arrays(
            "INSERT INTO trace_operations (trace_id, service, name) SELECT * FROM unnest($1, $2, $3) ON CONFLICT DO NOTHING",
            Column(operations, o => o.TraceId, NpgsqlDbType.Text),
            Column(operations, o => o.Service, NpgsqlDbType.Text),
            Column(operations, o => o.Name, NpgsqlDbType.Text)));
        batch.BatchCommands.Add(Arrays(
            $"""
            INSERT INTO trace_index ({IndexColumns})
            SELECT t, s, e, c, x, rs, rn, rr, rst, 1 FROM unnest($1, $2, $3, $4, $5, $6, $7, $8, $9) AS u(t, s, e, c, x, rs, rn, rr, rst) ORDER BY t
            {IndexUpsert}
            """,
            Column(index, r => r.TraceId, NpgsqlDbType.Text),
            Column(index, r => r.Start, NpgsqlDbType.Bigint),
            Column(index, r => r.End, NpgsqlDbType.Bigint),
            Column(index, r => r.Spans, NpgsqlDbType.Bigint),
            Column(index, r => r.Errors, NpgsqlDbType.Bigint),
            Column(index, r => r.Root.Service, NpgsqlDbType.Text),
            Column(index, r => r.Root.Name, NpgsqlDbType.Text),
            Column(index, r => (long)r.Root.Rank, NpgsqlDbType.Bigint),
            Column(index, r => r.Root.Start, NpgsqlDbType.Bigint)));
        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static NpgsqlBatchCommand Arrays(string sql, params NpgsqlParameter[] parameters)
    {
        var command = new NpgsqlBatchCommand(sql);
        command.Parameters.AddRange(parameters);
        return command;
    }

    private static NpgsqlParameter<T[]> Column<TRow, T>(IReadOnlyList<TRow> rows, Func<TRow, T> value, NpgsqlDbType type)
    {
        var values = new T[rows.Count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = value(rows[i]);
        }

        return new NpgsqlParameter<T[]> { TypedValue = values, NpgsqlDbType = NpgsqlDbType.Array | type };
    }

    /// <summary>One request's chunks (one per trace, in trace order), its span count and the traces it touches.</summary>
    private sealed record SpanBatch(ChunkWrite[] Chunks, int SpanCount, string[] TraceIds);

    /// <summary>A trace's root candidate: its rank (0 parentless, 1 parent not seen with it, 2 any), start, service and name.</summary>
    private readonly record struct RootCandidate(int Rank, long Start, string Service, string Name)
    {
        /// <summary>The better of two candidates; on a tie <paramref name="newer"/>, as the upsert decides.</summary>
        public RootCandidate Or(RootCandidate newer) =>
            newer.Rank < Rank || (newer.Rank == Rank && newer.Start <= Start) ? newer : this;
    }

    /// <summary>One trace's share of a group in <c>trace_index</c>.</summary>
    private readonly record struct IndexRow(string TraceId, long Start, long End, long Spans, long Errors, RootCandidate Root)
    {
        public IndexRow With(IndexRow newer) => new(
            TraceId, Math.Min(Start, newer.Start), Math.Max(End, newer.End), Spans + newer.Spans, Errors + newer.Errors, Root.Or(newer.Root));
    }

    /// <summary>One row of <c>trace_chunks</c> with what <c>trace_index</c> and <c>trace_operations</c> learn from it.</summary>
    private sealed record ChunkWrite(
        string TraceId,
        long Start,
        long End,
        int Spans,
        int Errors,
        int InvalidIds,
        RootCandidate Root,
        byte[] SpanKeys,
        byte[] Payload,
        (string Service, string Name)[] Operations,
        (ulong Id, string? Text, bool Error)[] Keys);

    /// <summary>One trace's spans of a request, deduplicated by span ID (the last copy wins).</summary>
    private sealed class TraceSpans(string traceId)
    {
        private readonly List<ChunkSpan> _spans = [];
        private readonly Dictionary<(ulong, string?), int> _positions = [];

        public string TraceId { get; } = traceId;

        public void Add(ChunkSpan span)
        {
            if (_positions.TryGetValue((span.Id, span.IdText), out var at))
            {
                _spans[at] = span;
            }
            else
            {
                _positions[(span.Id, span.IdText)] = _spans.Count;
                _spans.Add(span);
            }
        }

        public ChunkWrite ToChunk()
        {
            _spans.Sort(CompareStartThenId);
            long start = long.MaxValue, end = long.MinValue;
            int errors = 0, invalid = 0;
            RootCandidate? parentless = null, orphan = null;
            var operations = new HashSet<(string, string)>();
            foreach (var entry in _spans)
            {
                var span = entry.Span;
                start = Math.Min(start, span.StartUnixNano);
                end = Math.Max(end, span.EndUnixNano);
                errors += span.IsError ? 1 : 0;
                invalid += entry.IdText is { Length: not SpanIdLength } ? 1 : 0;
                operations.Add((span.ServiceName, span.Name));
                if (!entry.HasParent)
                {
                    parentless ??= new RootCandidate(0, span.StartUnixNano, span.ServiceName, span.Name);
                }
                else if (orphan is null && !_positions.ContainsKey((entry.Parent, entry.ParentText)))
                {
                    orphan = new RootCandidate(1, span.StartUnixNano, span.ServiceName, span.Name);
                }
            }

            var first = _spans[0].Span;
            var root = parentless ?? orphan ?? new RootCandidate(2, first.StartUnixNano, first.ServiceName, first.Name);
            var spans = CollectionsMarshal.AsSpan(_spans);
            return new ChunkWrite(
                TraceId, start, end, _spans.Count, errors, invalid, root, SpanChunkCodec.EncodeKeys(spans), SpanChunkCodec.Encode(spans), [.. operations],
                [.. _spans.Select(s => (s.Id, s.IdText, s.Span.IsError))]);
        }

        /// <summary>Start order, then span ID as text (for canonical IDs the numbers compare the same way).</summary>
        private static int CompareStartThenId(ChunkSpan a, ChunkSpan b)
        {
            var c = a.Span.StartUnixNano.CompareTo(b.Span.StartUnixNano);
            if (c != 0)
            {
                return c;
            }

            return a.IdText is null && b.IdText is null
                ? a.Id.CompareTo(b.Id)
                : string.CompareOrdinal(a.IdText ?? TraceIds.SpanIdHex(a.Id), b.IdText ?? TraceIds.SpanIdHex(b.Id));
        }
    }
}
