using System.Data;
using System.Data.Common;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using OpsAssistant.Core.Model;
using OpsAssistant.Core.Sources;
using OpsAssistant.Infrastructure.Telemetry;

namespace OpsAssistant.Infrastructure.Storage;

/// <summary>
/// The trace store over any ADO.NET provider whose SQL understands <c>INSERT ... ON CONFLICT</c> (SQLite, PostgreSQL).
/// Spans live in <c>trace_spans</c> (indexed columns plus a compact payload); <c>trace_index</c> keeps one row of
/// aggregates per trace, recomputed inside the same transaction as the spans it summarises, so searches never scan spans.
/// </summary>
[SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification = "The only disposable field is a SemaphoreSlim used with WaitAsync/Release; it holds an OS handle only once AvailableWaitHandle is read, which nothing does.")]
public abstract partial class RelationalTraceStore : ITraceStore, OpsAssistant.Core.Analyses.IAnalysisStore, OpsAssistant.Core.Conversations.IConversationStore
{
    /// <summary>The most summaries one search returns.</summary>
    public const int MaxSearchLimit = 1000;

    private readonly SemaphoreSlim _initializeLock = new(1, 1);
    private volatile bool _initialized;
    private readonly StoredTraceCache _cache = new(StorageOptions.DefaultTraceCacheSpans);

    protected RelationalTraceStore(ILogger logger)
    {
        Logger = logger;
    }

    public string Name => "store";

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

    protected ILogger Logger { get; }

    /// <summary>Schema steps in order; each must be idempotent (<c>IF NOT EXISTS</c>), version = index + 1.</summary>
    protected abstract IReadOnlyList<string> Migrations { get; }

    /// <summary>Creates or upgrades the schema once per process; later calls return at once.</summary>
    [SuppressMessage("Security", "CA5394:Do not use insecure randomness", Justification = "Random only spreads the retry pauses of contending migrations; nothing depends on it being unpredictable.")]
    public async Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        if (_initialized)
        {
            return;
        }

        await _initializeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_initialized)
            {
                return;
            }

            // Stores that start together on one database contend for the migration lock; a conflict the driver reports
            // as an error instead of waiting it out (StorageFailures.IsMisreportedBusy) is retried after a jittered pause.
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await MigrateAsync(cancellationToken).ConfigureAwait(false);
                    break;
                }
                catch (DbException ex) when (attempt < 5 && StorageFailures.IsMisreportedBusy(ex))
                {
                    LogMigrationBusy(Logger, ex, attempt);
                    await Task.Delay(Random.Shared.Next(20, 100 * attempt), cancellationToken).ConfigureAwait(false);
                }
            }

            _initialized = true;
        }
        finally
        {
            _initializeLock.Release();
        }
    }

    /// <summary>Applies the migrations the database lacks, in one transaction under the migration lock.</summary>
    private async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await LockForMigrationAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, transaction, "CREATE TABLE IF NOT EXISTS trace_schema_version (version INTEGER NOT NULL PRIMARY KEY)", cancellationToken).ConfigureAwait(false);

        var current = 0;
        await using (var command = Command(connection, transaction, "SELECT COALESCE(MAX(version), 0) FROM trace_schema_version"))
        {
            current = Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
        }

        for (var version = current + 1; version <= Migrations.Count; version++)
        {
            await ExecuteAsync(connection, transaction, Migrations[version - 1], cancellationToken).ConfigureAwait(false);
            await using var record = Command(connection, transaction, "INSERT INTO trace_schema_version (version) VALUES (@version)");
            AddParameter(record, "version", DbType.Int32, version);
            await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            LogMigrated(Logger, version);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>True when the database answers a trivial query (readiness probe).</summary>
    public async Task<bool> PingAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await InitializeAsync(cancellationToken).ConfigureAwait(false);
            await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var command = Command(connection, null, "SELECT 1");
            await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (ex is DbException or IOException or UnauthorizedAccessException or TimeoutException or InvalidOperationException)
        {
            LogUnreachable(Logger, ex);
            return false;
        }
    }

    public async Task<int> AddSpansAsync(IReadOnlyCollection<Span> spans, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spans);
        if (spans.Count == 0)
        {
            return 0;
        }

        await InitializeAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

        await using var upsert = Command(connection, transaction, """
            INSERT INTO trace_spans (trace_id, span_id, parent_span_id, service, name, start_ns, end_ns, is_error, payload)
            VALUES (@trace_id, @span_id, @parent_span_id, @service, @name, @start_ns, @end_ns, @is_error, @payload)
            ON CONFLICT (trace_id, span_id) DO UPDATE SET
                parent_span_id = excluded.parent_span_id, service = excluded.service, name = excluded.name,
                start_ns = excluded.start_ns, end_ns = excluded.end_ns, is_error = excluded.is_error, payload = excluded.payload
            """);
        var traceId = AddParameter(upsert, "trace_id", DbType.String, "");
        var spanId = AddParameter(upsert, "span_id", DbType.String, "");
        var parentSpanId = AddParameter(upsert, "parent_span_id", DbType.String, DBNull.Value);
        var service = AddParameter(upsert, "service", DbType.String, "");
        var name = AddParameter(upsert, "name", DbType.String, "");
        var start = AddParameter(upsert, "start_ns", DbType.Int64, 0L);
        var end = AddParameter(upsert, "end_ns", DbType.Int64, 0L);
        var isError = AddParameter(upsert, "is_error", DbType.Int16, (short)0);
        var payload = AddParameter(upsert, "payload", DbType.Binary, Array.Empty<byte>());

        // Rows are written in key order so two concurrent batches over the same traces lock them in the same order
        // and cannot deadlock each other (PostgreSQL would abort one of them).
        var traces = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var span in spans.OrderBy(s => TraceIds.NormalizeTraceId(s.TraceId ?? ""), StringComparer.Ordinal).ThenBy(s => s.SpanId, StringComparer.OrdinalIgnoreCase))
        {
            var normalizedTraceId = TraceIds.NormalizeTraceId(span.TraceId ?? "");
            traces.Add(normalizedTraceId);
            traceId.Value = normalizedTraceId;
            spanId.Value = span.SpanId?.ToLowerInvariant() ?? (object)DBNull.Value;
            parentSpanId.Value = span.ParentSpanId is { Length: > 0 } parent ? parent.ToLowerInvariant() : DBNull.Value;
            service.Value = span.ServiceName;
            name.Value = span.Name ?? (object)DBNull.Value;
            start.Value = span.StartUnixNano;
            end.Value = span.EndUnixNano;
            isError.Value = span.IsError ? (short)1 : (short)0;
            payload.Value = SpanPayloadCodec.Encode(span);
            await upsert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await using var summarize = Command(connection, transaction, """
            INSERT INTO trace_index (trace_id, start_ns, end_ns, span_count, error_count, root_service, root_name, revision)
            SELECT s.trace_id, MIN(s.start_ns), MAX(s.end_ns), COUNT(*), SUM(s.is_error),
                (SELECT r.service FROM trace_spans r WHERE r.trace_id = s.trace_id ORDER BY
                    CASE WHEN r.parent_span_id IS NULL OR NOT EXISTS (SELECT 1 FROM trace_spans p WHERE p.trace_id = r.trace_id AND p.span_id = r.parent_span_id) THEN 0 ELSE 1 END,
                    r.start_ns, r.span_id LIMIT 1),
                (SELECT r.name FROM trace_spans r WHERE r.trace_id = s.trace_id ORDER BY
                    CASE WHEN r.parent_span_id IS NULL OR NOT EXISTS (SELECT 1 FROM trace_spans p WHERE p.trace_id = r.trace_id AND p.span_id = r.parent_span_id) THEN 0 ELSE 1 END,
                    r.start_ns, r.span_id LIMIT 1),
                1
            FROM trace_spans s WHERE s.trace_id = @trace_id GROUP BY s.trace_id
            ON CONFLICT (trace_id) DO UPDATE SET
                start_ns = excluded.start_ns, end_ns = excluded.end_ns, span_count = excluded.span_count,
                error_count = excluded.error_count, root_service = excluded.root_service, root_name = excluded.root_name,
                revision = trace_index.revision + 1
            """);
        var summaryTraceId = AddParameter(summarize, "trace_id", DbType.String, "");
        foreach (var id in traces)
        {
            summaryTraceId.Value = id;
            await summarize.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        foreach (var id in traces)
        {
            _cache.Remove(id);
        }

        LogStored(Logger, spans.Count, traces.Count);
        return spans.Count;
    }

    public async Task<Trace?> GetTraceAsync(string traceId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(traceId);
        var normalized = TraceIds.NormalizeTraceId(traceId);
        await InitializeAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

        // The revision is read before the spans: spans ingested in between are newer than it, so the copy kept under it is
        // at worst fresher than its label, and the next read, seeing a higher revision, loads again.
        var revision = _cache.CapacitySpans > 0 ? await ReadRevisionAsync(connection, normalized, cancellationToken).ConfigureAwait(false) : null;
        if (revision is { } known && _cache.TryGet(normalized, known, out var cached))
        {
            OpsAssistantTelemetry.StoredTraceReads.Add(1, new KeyValuePair<string, object?>("opsassistant.outcome", "cached"));
            return cached;
        }

        await using var command = Command(connection, null, """
            SELECT span_id, parent_span_id, name, start_ns, end_ns, payload
            FROM trace_spans WHERE trace_id = @trace_id ORDER BY start_ns, span_id
            """);
        AddParameter(command, "trace_id", DbType.String, normalized);

        // Every row's trace_id equals the key it was selected by, so the spans share that one string instead of reading
        // a copy per row.
        var spans = new List<Span>();
        var decoder = new SpanPayloadDecoder();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var row = new SpanRow(
                    normalized,
                    reader.GetString(0),
                    await reader.IsDBNullAsync(1, cancellationToken).ConfigureAwait(false) ? null : reader.GetString(1),
                    reader.GetString(2),
                    reader.GetInt64(3),
                    reader.GetInt64(4),
                    (byte[])reader.GetValue(5));
                spans.Add(decoder.Decode(row));
            }
        }

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

    /// <summary>The trace's revision in <c>trace_index</c>, or null when it has no row there.</summary>
    private static async Task<long?> ReadRevisionAsync(DbConnection connection, string traceId, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, null, "SELECT revision FROM trace_index WHERE trace_id = @trace_id");
        AddParameter(command, "trace_id", DbType.String, traceId);
        var value = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return value is null or DBNull ? null : Convert.ToInt64(value, CultureInfo.InvariantCulture);
    }

    [SuppressMessage("Security", "CA2100:Review SQL queries for security vulnerabilities", Justification = "The SQL is assembled from constant fragments only; every query value is bound as a parameter.")]
    public async Task<IReadOnlyList<TraceSummary>> SearchAsync(TraceQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        await InitializeAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, null, "");

        // Only the criteria given become SQL: PostgreSQL cannot infer a type for "@p IS NULL" on a null parameter.
        var sql = new StringBuilder("SELECT t.trace_id, t.start_ns, t.end_ns, t.span_count, t.error_count, t.root_service, t.root_name FROM trace_index t WHERE 1 = 1");
        if (query.From is { } from)
        {
            sql.Append(" AND t.start_ns >= @from");
            AddParameter(command, "from", DbType.Int64, ToUnixNano(from));
        }

        if (query.To is { } to)
        {
            sql.Append(" AND t.start_ns <= @to");
            AddParameter(command, "to", DbType.Int64, ToUnixNano(to));
        }

        if (query.HasError is { } hasError)
        {
            sql.Append(hasError ? " AND t.error_count > 0" : " AND t.error_count = 0");
        }

        if (!string.IsNullOrEmpty(query.Service) || !string.IsNullOrEmpty(query.Operation))
        {
            // Service and operation name the same span, as Jaeger's search does.
            sql.Append(" AND EXISTS (SELECT 1 FROM trace_spans s WHERE s.trace_id = t.trace_id");
            if (!string.IsNullOrEmpty(query.Service))
            {
                sql.Append(" AND s.service = @service");
                AddParameter(command, "service", DbType.String, query.Service);
            }

            if (!string.IsNullOrEmpty(query.Operation))
            {
                sql.Append(" AND s.name = @operation");
                AddParameter(command, "operation", DbType.String, query.Operation);
            }

            sql.Append(')');
        }

        sql.Append(" ORDER BY t.start_ns DESC, t.trace_id LIMIT @limit");
        AddParameter(command, "limit", DbType.Int32, Math.Clamp(query.Limit, 1, MaxSearchLimit));
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

    protected abstract Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken);

    /// <summary>A connection to the store's database for the baseline tables it migrates (<see cref="Baselines.BaselineSchema"/>).</summary>
    internal Task<DbConnection> OpenBaselineConnectionAsync(CancellationToken cancellationToken) => OpenConnectionAsync(cancellationToken);

    /// <summary>Serialises concurrent migrations from several processes; SQLite's write lock already does.</summary>
    protected virtual Task LockForMigrationAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken) => Task.CompletedTask;

    [SuppressMessage("Security", "CA2100:Review SQL queries for security vulnerabilities", Justification = "Callers pass constant SQL (or SQL assembled from constants); values are bound as parameters.")]
    protected static DbCommand Command(DbConnection connection, DbTransaction? transaction, string sql)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        return command;
    }

    protected static async Task ExecuteAsync(DbConnection connection, DbTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, sql);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static DbParameter AddParameter(DbCommand command, string name, DbType type, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.DbType = type;
        parameter.Value = value;
        command.Parameters.Add(parameter);
        return parameter;
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

        await using var command = Command(connection, null, "");
        var names = new List<string>(traceIds.Count);
        for (var i = 0; i < traceIds.Count; i++)
        {
            names.Add("@t" + i.ToString(CultureInfo.InvariantCulture));
            AddParameter(command, "t" + i.ToString(CultureInfo.InvariantCulture), DbType.String, traceIds[i]);
        }

        command.CommandText = $"SELECT DISTINCT trace_id, service FROM trace_spans WHERE trace_id IN ({string.Join(", ", names)}) ORDER BY trace_id, service";
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Trace store schema check hit a busy database (attempt {Attempt}); retrying")]
    private static partial void LogMigrationBusy(ILogger logger, Exception exception, int attempt);

    [LoggerMessage(Level = LogLevel.Information, Message = "Trace store schema migrated to version {SchemaVersion}")]
    private static partial void LogMigrated(ILogger logger, int schemaVersion);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Trace store is not reachable")]
    private static partial void LogUnreachable(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Stored {SpanCount} spans of {TraceCount} traces")]
    private static partial void LogStored(ILogger logger, int spanCount, int traceCount);
}
