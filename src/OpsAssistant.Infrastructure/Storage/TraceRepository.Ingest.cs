using System.Data;
using System.Data.Common;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using Npgsql;
using NpgsqlTypes;
using OpsAssistant.Core.Model;
using OpsAssistant.Core.Sources;

namespace OpsAssistant.Infrastructure.Storage;

/// <summary>
/// Ingest: a request's spans are normalised and encoded on the caller's thread, then written through a
/// <see cref="GroupCommit{TRequest,TResult}"/>, so concurrent requests share one transaction. Inside it the rows go in
/// bulk (SQLite: a prepared multi-row upsert; PostgreSQL: binary <c>COPY</c> into a staging table, then one upsert from
/// it), and <c>trace_index</c> is recomputed by one statement for every trace the group touched.
/// </summary>
public sealed partial class TraceRepository
{
    /// <summary>Spans one shared transaction holds at most; a bigger single request still goes alone.</summary>
    internal const int MaxGroupSpans = 20_000;

    /// <summary>
    /// Rows per multi-row upsert statement on SQLite. Few: SQLite finds each named parameter by a linear search, so a
    /// statement of hundreds of parameters spends more on binding than it saves in calls.
    /// </summary>
    private const int RowsPerStatement = 16;

    /// <summary>The first key of the per-trace advisory locks (two-key locks do not collide with the one-key migration lock).</summary>
    private const int TraceLockSpace = 0x4f707354;

    private const string SpanColumns = "trace_id, span_id, parent_span_id, service, name, start_ns, end_ns, is_error, payload";

    private const string UpsertTail = """
        ON CONFLICT (trace_id, span_id) DO UPDATE SET
            parent_span_id = excluded.parent_span_id, service = excluded.service, name = excluded.name,
            start_ns = excluded.start_ns, end_ns = excluded.end_ns, is_error = excluded.is_error, payload = excluded.payload
        """;

    private static readonly string MultiRowUpsert = UpsertSql(RowsPerStatement);

    /// <summary>Ingest groups committed so far; fewer than ingest calls means concurrent requests shared commits.</summary>
    internal long IngestCommits => _ingest.Groups;

    private GroupCommit<SpanBatch, int> CreateIngest() => new(
        Database,
        WriteGroupAsync,
        batch => batch.Rows.Length,
        MaxGroupSpans,
        Database.Dialect == SqlDialect.Sqlite ? 1 : Math.Max(2, Environment.ProcessorCount));

    /// <summary>
    /// One request's rows, deduplicated (the last copy of a span wins, as when its rows were upserted one by one) and in
    /// key order, so concurrent writers lock rows in the same order and cannot deadlock each other.
    /// </summary>
    private static SpanBatch Prepare(IReadOnlyCollection<Span> spans)
    {
        var rows = new List<SpanWrite>(spans.Count);
        var positions = new Dictionary<(string, string?), int>(spans.Count);
        foreach (var span in spans)
        {
            var row = new SpanWrite(
                TraceIds.NormalizeTraceId(span.TraceId ?? ""),
                span.SpanId?.ToLowerInvariant(),
                span.ParentSpanId is { Length: > 0 } parent ? parent.ToLowerInvariant() : null,
                span.ServiceName,
                span.Name,
                span.StartUnixNano,
                span.EndUnixNano,
                span.IsError,
                SpanPayloadCodec.Encode(span));
            Keep(rows, positions, row);
        }

        return Sorted(rows);
    }

    private static void Keep(List<SpanWrite> rows, Dictionary<(string, string?), int> positions, SpanWrite row)
    {
        if (positions.TryGetValue((row.TraceId, row.SpanId), out var at))
        {
            rows[at] = row;
        }
        else
        {
            positions[(row.TraceId, row.SpanId)] = rows.Count;
            rows.Add(row);
        }
    }

    private static SpanBatch Sorted(List<SpanWrite> rows)
    {
        rows.Sort(static (a, b) => string.CompareOrdinal(a.TraceId, b.TraceId) is var c and not 0 ? c : string.CompareOrdinal(a.SpanId, b.SpanId));
        var traces = new List<string>();
        foreach (var row in rows)
        {
            if (traces.Count == 0 || !string.Equals(traces[^1], row.TraceId, StringComparison.Ordinal))
            {
                traces.Add(row.TraceId);
            }
        }

        return new SpanBatch([.. rows], [.. traces]);
    }

    /// <summary>Several requests' rows as one batch; a span sent by two of them keeps the later request's copy.</summary>
    private static SpanBatch Merge(IReadOnlyList<SpanBatch> group)
    {
        if (group.Count == 1)
        {
            return group[0];
        }

        var rows = new List<SpanWrite>(group.Sum(b => b.Rows.Length));
        var positions = new Dictionary<(string, string?), int>(rows.Capacity);
        foreach (var batch in group)
        {
            foreach (var row in batch.Rows)
            {
                Keep(rows, positions, row);
            }
        }

        return Sorted(rows);
    }

    private async Task<int[]> WriteGroupAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<SpanBatch> group, CancellationToken cancellationToken)
    {
        var merged = Merge(group);
        if (connection is NpgsqlConnection npgsql)
        {
            await LockTracesAsync(npgsql, transaction, merged.TraceIds, cancellationToken).ConfigureAwait(false);
            await CopyRowsAsync(npgsql, transaction, merged.Rows, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await UpsertRowsAsync(connection, transaction, merged.Rows, cancellationToken).ConfigureAwait(false);
        }

        await SummarizeAsync(connection, transaction, merged.TraceIds, cancellationToken).ConfigureAwait(false);
        return [.. group.Select(b => b.Rows.Length)];
    }

    /// <summary>SQLite: the rows through one prepared multi-row upsert (and one for the remainder).</summary>
    private static async Task UpsertRowsAsync(DbConnection connection, DbTransaction transaction, SpanWrite[] rows, CancellationToken cancellationToken)
    {
        var full = rows.Length / RowsPerStatement * RowsPerStatement;
        if (full > 0)
        {
            await using var bulk = Sql.Command(connection, transaction, MultiRowUpsert);
            var parameters = AddRowParameters(bulk, RowsPerStatement);
            for (var offset = 0; offset < full; offset += RowsPerStatement)
            {
                Bind(parameters, rows.AsSpan(offset, RowsPerStatement));
                await bulk.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        if (full < rows.Length)
        {
            await using var rest = Sql.Command(connection, transaction, UpsertSql(rows.Length - full));
            Bind(AddRowParameters(rest, rows.Length - full), rows.AsSpan(full));
            await rest.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// PostgreSQL: one transaction at a time per trace. Under READ COMMITTED, two writers adding spans to one trace would
    /// each recompute its <c>trace_index</c> row from a snapshot without the other's spans, and the later write would
    /// lose the earlier one's; a transaction-scoped advisory lock per trace (taken in one global order, so writers cannot
    /// deadlock) makes the second recompute after the first committed. SQLite's single writer already serialises them.
    /// </summary>
    private static async Task LockTracesAsync(NpgsqlConnection connection, DbTransaction transaction, string[] traceIds, CancellationToken cancellationToken)
    {
        await using var command = Sql.Command(connection, transaction, $"""
            SELECT pg_advisory_xact_lock({TraceLockSpace}, h) FROM (SELECT DISTINCT hashtext(t) AS h FROM unnest(@trace_ids) AS t ORDER BY h) AS ordered
            """);
        var ids = command.CreateParameter();
        ids.ParameterName = "@trace_ids";
        ids.Value = traceIds;
        command.Parameters.Add(ids);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>PostgreSQL: binary COPY into a transaction-scoped staging table, then one upsert from it in key order.</summary>
    private static async Task CopyRowsAsync(NpgsqlConnection connection, DbTransaction transaction, SpanWrite[] rows, CancellationToken cancellationToken)
    {
        await Sql.ExecuteAsync(connection, transaction, "CREATE TEMP TABLE ingest_spans (LIKE trace_spans) ON COMMIT DROP", cancellationToken).ConfigureAwait(false);
        await using (var import = await connection.BeginBinaryImportAsync($"COPY ingest_spans ({SpanColumns}) FROM STDIN (FORMAT BINARY)", cancellationToken).ConfigureAwait(false))
        {
            foreach (var row in rows)
            {
                await import.StartRowAsync(cancellationToken).ConfigureAwait(false);
                await import.WriteAsync(row.TraceId, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                await WriteTextOrNullAsync(import, row.SpanId, cancellationToken).ConfigureAwait(false);
                await WriteTextOrNullAsync(import, row.ParentSpanId, cancellationToken).ConfigureAwait(false);
                await WriteTextOrNullAsync(import, row.Service, cancellationToken).ConfigureAwait(false);
                await WriteTextOrNullAsync(import, row.Name, cancellationToken).ConfigureAwait(false);
                await import.WriteAsync(row.Start, NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
                await import.WriteAsync(row.End, NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
                await import.WriteAsync(row.IsError ? (short)1 : (short)0, NpgsqlDbType.Smallint, cancellationToken).ConfigureAwait(false);
                await import.WriteAsync(row.Payload, NpgsqlDbType.Bytea, cancellationToken).ConfigureAwait(false);
            }

            await import.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }

        await Sql.ExecuteAsync(connection, transaction, $"""
            INSERT INTO trace_spans ({SpanColumns})
            SELECT {SpanColumns} FROM ingest_spans ORDER BY trace_id, span_id
            {UpsertTail}
            """, cancellationToken).ConfigureAwait(false);
    }

    private static Task WriteTextOrNullAsync(NpgsqlBinaryImporter import, string? value, CancellationToken cancellationToken) =>
        value is null ? import.WriteNullAsync(cancellationToken) : import.WriteAsync(value, NpgsqlDbType.Text, cancellationToken);

    /// <summary>
    /// Recomputes <c>trace_index</c> for every trace the group touched in one statement: extent, counts, the root (a span
    /// without a parent, else one whose parent is missing, earliest first) and a raised revision.
    /// </summary>
    [SuppressMessage("Security", "CA2100:Review SQL queries for security vulnerabilities", Justification = "The SQL is constant apart from the dialect's list condition; the trace IDs are bound as a parameter.")]
    private async Task SummarizeAsync(DbConnection connection, DbTransaction transaction, string[] traceIds, CancellationToken cancellationToken)
    {
        await using var summarize = Sql.Command(connection, transaction, $"""
            INSERT INTO trace_index (trace_id, start_ns, end_ns, span_count, error_count, root_service, root_name, revision)
            SELECT s.trace_id, MIN(s.start_ns), MAX(s.end_ns), COUNT(*), SUM(s.is_error),
                (SELECT r.service FROM trace_spans r WHERE r.trace_id = s.trace_id ORDER BY
                    CASE WHEN r.parent_span_id IS NULL OR NOT EXISTS (SELECT 1 FROM trace_spans p WHERE p.trace_id = r.trace_id AND p.span_id = r.parent_span_id) THEN 0 ELSE 1 END,
                    r.start_ns, r.span_id LIMIT 1),
                (SELECT r.name FROM trace_spans r WHERE r.trace_id = s.trace_id ORDER BY
                    CASE WHEN r.parent_span_id IS NULL OR NOT EXISTS (SELECT 1 FROM trace_spans p WHERE p.trace_id = r.trace_id AND p.span_id = r.parent_span_id) THEN 0 ELSE 1 END,
                    r.start_ns, r.span_id LIMIT 1),
                1
            FROM trace_spans s WHERE {Database.TextListCondition("s.trace_id", "@trace_ids")} GROUP BY s.trace_id ORDER BY s.trace_id
            ON CONFLICT (trace_id) DO UPDATE SET
                start_ns = excluded.start_ns, end_ns = excluded.end_ns, span_count = excluded.span_count,
                error_count = excluded.error_count, root_service = excluded.root_service, root_name = excluded.root_name,
                revision = trace_index.revision + 1
            """);
        Database.BindTextList(summarize, "@trace_ids", traceIds);
        await summarize.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static string UpsertSql(int rows)
    {
        var sql = new StringBuilder($"INSERT INTO trace_spans ({SpanColumns}) VALUES ");
        for (var i = 0; i < rows; i++)
        {
            sql.Append(i == 0 ? "" : ", ").Append(CultureInfo.InvariantCulture, $"(@t{i}, @s{i}, @p{i}, @v{i}, @n{i}, @b{i}, @e{i}, @x{i}, @d{i})");
        }

        return sql.Append(' ').Append(UpsertTail).ToString();
    }

    private static DbParameter[] AddRowParameters(DbCommand command, int rows)
    {
        var parameters = new DbParameter[rows * 9];
        for (var i = 0; i < rows; i++)
        {
            var n = i.ToString(CultureInfo.InvariantCulture);
            parameters[i * 9] = Sql.Parameter(command, "@t" + n, DbType.String, "");
            parameters[(i * 9) + 1] = Sql.Parameter(command, "@s" + n, DbType.String, "");
            parameters[(i * 9) + 2] = Sql.Parameter(command, "@p" + n, DbType.String, DBNull.Value);
            parameters[(i * 9) + 3] = Sql.Parameter(command, "@v" + n, DbType.String, "");
            parameters[(i * 9) + 4] = Sql.Parameter(command, "@n" + n, DbType.String, "");
            parameters[(i * 9) + 5] = Sql.Parameter(command, "@b" + n, DbType.Int64, 0L);
            parameters[(i * 9) + 6] = Sql.Parameter(command, "@e" + n, DbType.Int64, 0L);
            parameters[(i * 9) + 7] = Sql.Parameter(command, "@x" + n, DbType.Int16, (short)0);
            parameters[(i * 9) + 8] = Sql.Parameter(command, "@d" + n, DbType.Binary, Array.Empty<byte>());
        }

        return parameters;
    }

    private static void Bind(DbParameter[] parameters, ReadOnlySpan<SpanWrite> rows)
    {
        for (var i = 0; i < rows.Length; i++)
        {
            var row = rows[i];
            var p = i * 9;
            parameters[p].Value = row.TraceId;
            parameters[p + 1].Value = (object?)row.SpanId ?? DBNull.Value;
            parameters[p + 2].Value = (object?)row.ParentSpanId ?? DBNull.Value;
            parameters[p + 3].Value = (object?)row.Service ?? DBNull.Value;
            parameters[p + 4].Value = (object?)row.Name ?? DBNull.Value;
            parameters[p + 5].Value = row.Start;
            parameters[p + 6].Value = row.End;
            parameters[p + 7].Value = row.IsError ? (short)1 : (short)0;
            parameters[p + 8].Value = row.Payload;
        }
    }

    /// <summary>One request's spans as rows, in key order, and the traces they touch (sorted, distinct).</summary>
    private sealed record SpanBatch(SpanWrite[] Rows, string[] TraceIds);

    /// <summary>One span as stored: the indexed columns and the encoded payload.</summary>
    private readonly record struct SpanWrite(string TraceId, string? SpanId, string? ParentSpanId, string? Service, string? Name, long Start, long End, bool IsError, byte[] Payload);
}
