using System.Data.Common;
using OpsAssistant.Core.Baselines;
using OpsAssistant.Core.Model;

namespace OpsAssistant.Infrastructure.Baselines;

/// <summary>
/// Baselines in the trace store's database (SQLite or PostgreSQL, <see cref="BaselineSchema"/>): writes the recorder's
/// sketches as count increments (replicas' increments merge in the database), keeps one summary row per operation and
/// window computed from the merged bins, answers a lookup from those rows in one query (computing from the bins only the
/// operations whose summary is missing or stale), keeps what it read for <see cref="BaselineOptions.CacheTtl"/>, and prunes
/// buckets past the retention.
/// <para>
/// A lookup as of an instant covers the complete buckets before the bucket holding that instant
/// (<see cref="WindowAsOf(DateTimeOffset)"/>): a trace is judged against the history before it, never against its own spans
/// or the incident around it. The summary rows hold the window of the current bucket, computed in it (their
/// <c>computed_ms</c> falls in the bucket their window ends at), so the common lookup, a trace from the current bucket,
/// reads them; a trace from an older bucket is computed from the bins.
/// </para>
/// </summary>
public sealed class RelationalBaselineStore(Func<CancellationToken, Task<DbConnection>> open, BaselineOptions options, TimeProvider time) : IBaselineProvider
{
    /// <summary>What <see cref="BaselineSet.Source"/> says for baselines from here.</summary>
    public const string Source = "store";

    // SQLite allows 32,766 parameters per statement, PostgreSQL 65,535: far above this.
    private const int MaxServicesPerQuery = 500;

    // One entry per service, for the window end it was read for: a lookup as of another bucket (a re-analysis) reads and
    // replaces it, so the cache stays as small as the set of services however many buckets pass.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (long ToMs, DateTimeOffset Expires, IReadOnlyList<OperationBaseline> Operations)> _cache = new(StringComparer.Ordinal);

    /// <summary>
    /// The window a lookup as of <paramref name="asOf"/> covers: <see cref="BaselineOptions.Window"/> ending at the start of
    /// the bucket holding <paramref name="asOf"/> (an instant in the future counts as now). Empty of data until a bucket has
    /// completed: a fresh store has no baselines in its first bucket.
    /// </summary>
    public (DateTimeOffset From, DateTimeOffset To) WindowAsOf(DateTimeOffset asOf) =>
        BaselineWindow.AsOf(asOf, time.GetUtcNow(), options.BucketSize, options.Window);

    /// <summary>
    /// Adds the increments in one transaction (either all of them count or none) and raises the version of every operation
    /// they touch; returns those operations with their new versions, for <see cref="RefreshSummariesAsync(IReadOnlyList{OperationVersion}, CancellationToken)"/>.
    /// Rows are written in key order, so two replicas flushing the same operations at once wait for each other instead of
    /// deadlocking.
    /// </summary>
    public async Task<IReadOnlyList<OperationVersion>> FlushAsync(IReadOnlyList<BaselineIncrement> increments, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(increments);
        if (increments.Count == 0)
        {
            return [];
        }

        var ordered = increments.OrderBy(i => i.Key, KeyOrder.Instance).ThenBy(i => i.BucketMs).ToList();
        var touched = new List<OperationVersion>();
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();

        var connection = await open(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                var bins = Command(connection, transaction, BaselineSchema.UpsertBin, "@s", "@o", "@k", "@b", "@i", "@c");
                var calls = Command(connection, transaction, BaselineSchema.UpsertCalls, "@s", "@o", "@k", "@b", "@n", "@e");
                var bump = Command(connection, transaction, BaselineSchema.BumpVersion, "@s", "@o", "@k", "@now");
                await using (bins.ConfigureAwait(false))
                await using (calls.ConfigureAwait(false))
                await using (bump.ConfigureAwait(false))
                {
                    foreach (var inc in ordered)
                    {
                        SetKey(bins, inc);
                        foreach (var (bin, count) in inc.Sketch.Bins.OrderBy(b => b.Key))
                        {
                            bins.Parameters[4].Value = bin;
                            bins.Parameters[5].Value = count;
                            await bins.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                        }

                        if (inc.Sketch.ZeroCount > 0)
                        {
                            bins.Parameters[4].Value = BaselineSchema.ZeroBin;
                            bins.Parameters[5].Value = inc.Sketch.ZeroCount;
                            await bins.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                        }

                        SetKey(calls, inc);
                        calls.Parameters[4].Value = inc.Sketch.Count;
                        calls.Parameters[5].Value = inc.Errors;
                        await calls.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                    }

                    foreach (var key in ordered.Select(i => i.Key).Distinct())
                    {
                        bump.Parameters[0].Value = key.Service;
                        bump.Parameters[1].Value = key.Operation;
                        bump.Parameters[2].Value = (short)key.Kind;
                        bump.Parameters[3].Value = now;
                        var version = Convert.ToInt64(await bump.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
                        touched.Add(new OperationVersion(key, version));
                    }
                }

                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        return touched;
    }

    /// <summary>
    /// Recomputes the summaries of <paramref name="operations"/> (what a flush touched) from the merged bins of the window
    /// that ends at the current bucket, every replica's included; a summary another pass computed from a later version is left alone. Returns the summaries
    /// written.
    /// </summary>
    public async Task<int> RefreshSummariesAsync(IReadOnlyList<OperationVersion> operations, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(operations);
        if (operations.Count == 0)
        {
            return 0;
        }

        // Computed now, for the window ending at the current bucket: computed_ms then tells which window a row holds.
        var now = time.GetUtcNow();
        var (from, to) = WindowAsOf(now);
        var connection = await open(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var computed = await ComputeAsync(connection, operations, from, to, cancellationToken).ConfigureAwait(false);
            var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                var upsert = Command(connection, transaction, BaselineSchema.UpsertSummary, "@s", "@w", "@o", "@k", "@v", "@oldest", "@at", "@p50", "@p90", "@p99", "@er", "@n");
                await using (upsert.ConfigureAwait(false))
                {
                    upsert.Parameters[1].Value = WindowMs;
                    upsert.Parameters[6].Value = now.ToUnixTimeMilliseconds();
                    foreach (var (op, summary) in computed.OrderBy(c => c.Operation.Key, KeyOrder.Instance))
                    {
                        upsert.Parameters[0].Value = op.Key.Service;
                        upsert.Parameters[2].Value = op.Key.Operation;
                        upsert.Parameters[3].Value = (short)op.Key.Kind;
                        upsert.Parameters[4].Value = op.Version;
                        upsert.Parameters[5].Value = summary.OldestBucketMs is { } oldest ? oldest : DBNull.Value;
                        upsert.Parameters[7].Value = summary.Baseline?.P50Ms ?? 0;
                        upsert.Parameters[8].Value = summary.Baseline?.P90Ms ?? 0;
                        upsert.Parameters[9].Value = summary.Baseline?.P99Ms ?? 0;
                        upsert.Parameters[10].Value = summary.Baseline?.ErrorRate ?? 0;
                        upsert.Parameters[11].Value = summary.Baseline?.Count ?? 0;
                        await upsert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                    }
                }

                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            }

            return computed.Count;
        }
    }

    /// <summary>
    /// Recomputes every summary of this window that is missing (a database upgraded with bins in it, a window length nobody
    /// computed yet) or stale (bins added by a flush whose own refresh did not run, computed for a bucket that has since
    /// completed).
    /// </summary>
    public async Task<int> RefreshSummariesAsync(CancellationToken cancellationToken = default)
    {
        var stale = new List<OperationVersion>();
        var connection = await open(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var command = Command(connection, null, BaselineSchema.StaleSummaries, "@w", "@from", "@to");
            await using (command.ConfigureAwait(false))
            {
                var (from, to) = WindowAsOf(time.GetUtcNow());
                command.Parameters[0].Value = WindowMs;
                command.Parameters[1].Value = from.ToUnixTimeMilliseconds();
                command.Parameters[2].Value = to.ToUnixTimeMilliseconds();
                var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        stale.Add(new OperationVersion(Key(reader), reader.GetInt64(3)));
                    }
                }
            }
        }

        return await RefreshSummariesAsync(stale, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deletes the buckets older than the retention; returns the rows deleted.</summary>
    public async Task<int> PruneAsync(CancellationToken cancellationToken = default)
    {
        var before = time.GetUtcNow() - options.Retention;
        var connection = await open(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var command = Command(connection, null, BaselineSchema.Prune, "@before");
            await using (command.ConfigureAwait(false))
            {
                command.Parameters[0].Value = before.ToUnixTimeMilliseconds();
                return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Every operation of the services among <paramref name="operations"/> over the window as of <paramref name="asOf"/>
    /// (<see cref="WindowAsOf(DateTimeOffset)"/>): the asked ones, and the others of those services, which tell the analysis
    /// that an operation without a baseline is new.
    /// </summary>
    public async ValueTask<BaselineSet> GetBaselinesAsync(IReadOnlyCollection<OperationKey> operations, DateTimeOffset asOf, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(operations);
        var now = time.GetUtcNow();
        var window = WindowAsOf(asOf);
        var toMs = window.To.ToUnixTimeMilliseconds();
        var found = new List<OperationBaseline>();
        var missing = new List<string>();
        foreach (var service in operations.Select(o => o.Service).Distinct(StringComparer.Ordinal))
        {
            if (_cache.TryGetValue(service, out var cached) && cached.ToMs == toMs && cached.Expires > now)
            {
                found.AddRange(cached.Operations);
            }
            else
            {
                missing.Add(service);
            }
        }

        if (missing.Count > 0)
        {
            var read = await QueryAsync(missing, null, window, cancellationToken).ConfigureAwait(false);
            found.AddRange(read.Operations);
            if (options.CacheTtl > TimeSpan.Zero)
            {
                var byService = read.Operations.ToLookup(o => o.Service, StringComparer.Ordinal);
                foreach (var service in missing)
                {
                    _cache[service] = (toMs, now + options.CacheTtl, byService[service].ToList());
                }
            }
        }

        return new BaselineSet(found, Source);
    }

    /// <summary>The baselines of one service's operations (one operation's, when named), per span kind, as of an instant.</summary>
    public Task<BaselineSet> GetServiceAsync(string service, string? operation, DateTimeOffset asOf, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(service);
        return QueryAsync([service], operation, WindowAsOf(asOf), cancellationToken);
    }

    /// <summary>
    /// One query over the services' operations joined with their summaries of this window length; the operations whose
    /// summary is missing or stale (behind the operation's version, computed for another window end, or holding a bucket
    /// that has left the window) are computed from the bins instead, so a lookup is never older than the bins, whether or
    /// not a flush service is keeping the summaries, and a lookup as of an older bucket gets that bucket's window.
    /// </summary>
    private async Task<BaselineSet> QueryAsync(List<string> services, string? operation, (DateTimeOffset From, DateTimeOffset To) window, CancellationToken cancellationToken)
    {
        var (from, to) = window;
        var fromMs = from.ToUnixTimeMilliseconds();
        var toMs = to.ToUnixTimeMilliseconds();
        var found = new List<OperationBaseline>();
        var stale = new List<OperationVersion>();
        var connection = await open(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            foreach (var chunk in services.Chunk(MaxServicesPerQuery))
            {
                var command = connection.CreateCommand();
                await using (command.ConfigureAwait(false))
                {
                    SetLookup(command, chunk, operation);
                    AddParameter(command, "@w", WindowMs);
                    var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                    await using (reader.ConfigureAwait(false))
                    {
                        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                        {
                            var key = Key(reader);
                            var version = reader.GetInt64(3);
                            if (Int64OrNull(reader, 4) is not { } summarized || summarized < version || Int64OrNull(reader, 5) < fromMs
                                || Bucket(reader.GetInt64(11)) != toMs)
                            {
                                stale.Add(new OperationVersion(key, version));
                            }
                            else if (reader.GetInt64(10) > 0)
                            {
                                found.Add(new OperationBaseline
                                {
                                    Service = key.Service,
                                    Operation = key.Operation,
                                    Kind = key.Kind,
                                    P50Ms = reader.GetDouble(6),
                                    P90Ms = reader.GetDouble(7),
                                    P99Ms = reader.GetDouble(8),
                                    ErrorRate = reader.GetDouble(9),
                                    Count = reader.GetInt64(10),
                                    From = from,
                                    To = to,
                                });
                            }
                        }
                    }
                }
            }

            if (stale.Count > 0)
            {
                var computed = await ComputeAsync(connection, stale, from, to, cancellationToken).ConfigureAwait(false);
                found.AddRange(computed.Select(c => c.Summary.Baseline).OfType<OperationBaseline>());
            }
        }

        return new BaselineSet(
            found.OrderBy(b => b.Service, StringComparer.Ordinal).ThenBy(b => b.Operation, StringComparer.Ordinal).ThenBy(b => b.Kind),
            Source);
    }

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA2100:Review SQL queries for security vulnerabilities", Justification = "The SQL is constant text and numbered parameter placeholders; every value is a parameter.")]
    private static void SetLookup(DbCommand command, string[] services, string? operation)
    {
        var names = string.Join(", ", services.Select((_, i) => "@s" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        command.CommandText = $"""
            SELECT o.service, o.operation, o.kind, o.version, s.version, s.oldest_bucket_ms, s.p50_ms, s.p90_ms, s.p99_ms, s.error_rate, s.count, s.computed_ms
            FROM baseline_operations o
            LEFT JOIN baseline_summaries s ON s.service = o.service AND s.window_ms = @w AND s.operation = o.operation AND s.kind = o.kind
            WHERE o.service IN ({names}){(operation is null ? "" : " AND o.operation = @op")}
            """;
        for (var i = 0; i < services.Length; i++)
        {
            AddParameter(command, "@s" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), services[i]);
        }

        if (operation is not null)
        {
            AddParameter(command, "@op", operation);
        }
    }

    /// <summary>
    /// Each operation's figures over [<paramref name="from"/>, <paramref name="to"/>) from its merged bins (one key-range read
    /// per operation), with the oldest bucket they include; an operation with nothing in the window gets a null baseline.
    /// </summary>
    private static async Task<List<(OperationVersion Operation, Summary Summary)>> ComputeAsync(
        DbConnection connection, IReadOnlyList<OperationVersion> operations, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var result = new List<(OperationVersion, Summary)>(operations.Count);
        var bins = Command(connection, null, "SELECT bin, count FROM baseline_bins WHERE service = @s AND operation = @o AND kind = @k AND bucket_ms >= @from AND bucket_ms < @to", "@s", "@o", "@k", "@from", "@to");
        var calls = Command(connection, null, "SELECT CAST(SUM(errors) AS BIGINT), MIN(bucket_ms) FROM baseline_calls WHERE service = @s AND operation = @o AND kind = @k AND bucket_ms >= @from AND bucket_ms < @to", "@s", "@o", "@k", "@from", "@to");
        await using (bins.ConfigureAwait(false))
        await using (calls.ConfigureAwait(false))
        {
            foreach (var op in operations)
            {
                foreach (var command in new[] { bins, calls })
                {
                    command.Parameters[0].Value = op.Key.Service;
                    command.Parameters[1].Value = op.Key.Operation;
                    command.Parameters[2].Value = (short)op.Key.Kind;
                    command.Parameters[3].Value = from.ToUnixTimeMilliseconds();
                    command.Parameters[4].Value = to.ToUnixTimeMilliseconds();
                }

                var sketch = new QuantileSketch();
                var reader = await bins.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        var bin = reader.GetInt32(0);
                        var count = reader.GetInt64(1);
                        if (bin == BaselineSchema.ZeroBin)
                        {
                            sketch.AddZero(count);
                        }
                        else
                        {
                            sketch.AddBin(bin, count);
                        }
                    }
                }

                long errors = 0;
                long? oldest = null;
                var totals = await calls.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (totals.ConfigureAwait(false))
                {
                    if (await totals.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        errors = Int64OrNull(totals, 0) ?? 0;
                        oldest = Int64OrNull(totals, 1);
                    }
                }

                result.Add((op, sketch.Count == 0
                    ? new Summary(null, null)
                    : new Summary(OperationBaseline.FromSketch(op.Key, sketch, Math.Min(errors, sketch.Count), from, to), oldest)));
            }
        }

        return result;
    }

    // A sync read of a column already in the row buffer (the readers here are never in sequential-access mode).
    private static long? Int64OrNull(DbDataReader r, int ordinal) => r.IsDBNull(ordinal) ? null : r.GetInt64(ordinal);

    private long WindowMs => (long)options.Window.TotalMilliseconds;

    private long BucketMs => (long)options.BucketSize.TotalMilliseconds;

    private long Bucket(long unixMs) => BaselineWindow.UnitStart(unixMs, BucketMs);

    private static OperationKey Key(DbDataReader r) => new(r.GetString(0), r.GetString(1), (SpanKind)r.GetInt16(2));

    private static void SetKey(DbCommand command, BaselineIncrement inc)
    {
        command.Parameters[0].Value = inc.Key.Service;
        command.Parameters[1].Value = inc.Key.Operation;
        command.Parameters[2].Value = (short)inc.Key.Kind;
        command.Parameters[3].Value = inc.BucketMs;
    }

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA2100:Review SQL queries for security vulnerabilities", Justification = "The SQL is constant text and numbered parameter placeholders; every value is a parameter.")]
    private static DbCommand Command(DbConnection connection, DbTransaction? transaction, string sql, params string[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        foreach (var name in parameters)
        {
            AddParameter(command, name, DBNull.Value);
        }

        return command;
    }

    private static void AddParameter(DbCommand command, string name, object value)
    {
        var p = command.CreateParameter();
        p.ParameterName = name;
        p.Value = value;
        command.Parameters.Add(p);
    }
}

/// <summary>An operation and the version of its bins a summary is (to be) computed from.</summary>
public readonly record struct OperationVersion(OperationKey Key, long Version);

/// <summary>One operation's figures (null: nothing in the window) and the oldest bucket they were drawn from.</summary>
internal sealed record Summary(OperationBaseline? Baseline, long? OldestBucketMs);

/// <summary>The order rows are written in, the same in every replica: service, operation (ordinal), kind.</summary>
internal sealed class KeyOrder : IComparer<OperationKey>
{
    public static readonly KeyOrder Instance = new();

    public int Compare(OperationKey x, OperationKey y)
    {
        var c = string.CompareOrdinal(x.Service, y.Service);
        c = c != 0 ? c : string.CompareOrdinal(x.Operation, y.Operation);
        return c != 0 ? c : x.Kind.CompareTo(y.Kind);
    }
}
