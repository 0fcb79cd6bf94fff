using System.Data.Common;
using OpsAssistant.Core.Baselines;
using OpsAssistant.Core.Model;

namespace OpsAssistant.Infrastructure.Baselines;

/// <summary>
/// Baselines in the trace store's database (SQLite or PostgreSQL, <see cref="BaselineSchema"/>): writes the recorder's
/// sketches as count increments (replicas' increments merge in the database), reads every operation of the asked services
/// over the window in one query (the window's buckets merge as they are read), keeps what it read for
/// <see cref="BaselineOptions.CacheTtl"/>, and prunes buckets past the retention.
/// </summary>
public sealed class RelationalBaselineStore(Func<CancellationToken, Task<DbConnection>> open, BaselineOptions options, TimeProvider time) : IBaselineProvider
{
    /// <summary>What <see cref="BaselineSet.Source"/> says for baselines from here.</summary>
    public const string Source = "store";

    // SQLite allows 32,766 parameters per statement, PostgreSQL 65,535: far above this.
    private const int MaxServicesPerQuery = 500;

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (DateTimeOffset Expires, IReadOnlyList<OperationBaseline> Operations)> _cache = new(StringComparer.Ordinal);

    /// <summary>Adds the increments in one transaction; either all of them count or none.</summary>
    public async Task FlushAsync(IReadOnlyList<BaselineIncrement> increments, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(increments);
        if (increments.Count == 0)
        {
            return;
        }

        var connection = await open(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                var bins = Command(connection, transaction, BaselineSchema.UpsertBin, "@s", "@o", "@k", "@b", "@i", "@c");
                var calls = Command(connection, transaction, BaselineSchema.UpsertCalls, "@s", "@o", "@k", "@b", "@n", "@e");
                await using (bins.ConfigureAwait(false))
                await using (calls.ConfigureAwait(false))
                {
                    foreach (var inc in increments)
                    {
                        SetKey(bins, inc);
                        foreach (var (bin, count) in inc.Sketch.Bins)
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
                }

                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
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
    /// Every operation of the services among <paramref name="operations"/> over the window: the asked ones, and the others of
    /// those services, which tell the analysis that an operation without a baseline is new.
    /// </summary>
    public async ValueTask<BaselineSet> GetBaselinesAsync(IReadOnlyCollection<OperationKey> operations, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(operations);
        var now = time.GetUtcNow();
        var found = new List<OperationBaseline>();
        var missing = new List<string>();
        foreach (var service in operations.Select(o => o.Service).Distinct(StringComparer.Ordinal))
        {
            if (_cache.TryGetValue(service, out var cached) && cached.Expires > now)
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
            var read = await QueryAsync(missing, null, cancellationToken).ConfigureAwait(false);
            found.AddRange(read.Operations);
            if (options.CacheTtl > TimeSpan.Zero)
            {
                var byService = read.Operations.ToLookup(o => o.Service, StringComparer.Ordinal);
                foreach (var service in missing)
                {
                    _cache[service] = (now + options.CacheTtl, byService[service].ToList());
                }
            }
        }

        return new BaselineSet(found, Source);
    }

    /// <summary>The baselines of one service's operations (one operation's, when named), per span kind.</summary>
    public Task<BaselineSet> GetServiceAsync(string service, string? operation, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(service);
        return QueryAsync([service], operation, cancellationToken);
    }

    private async Task<BaselineSet> QueryAsync(List<string> services, string? operation, CancellationToken cancellationToken)
    {
        var to = time.GetUtcNow();
        var from = to - options.Window;
        var sketches = new Dictionary<OperationKey, (QuantileSketch Sketch, long Calls, long Errors)>();
        var connection = await open(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            foreach (var chunk in services.Chunk(MaxServicesPerQuery))
            {
                var names = string.Join(", ", chunk.Select((_, i) => "@s" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
                var filter = $"service IN ({names}) AND bucket_ms >= @from{(operation is null ? "" : " AND operation = @op")}";
                await ReadAsync(connection, $"SELECT service, operation, kind, bin, count FROM baseline_bins WHERE {filter}",
                    chunk, operation, from, r =>
                    {
                        var key = Key(r);
                        var entry = sketches.TryGetValue(key, out var e) ? e : (new QuantileSketch(), 0, 0);
                        var bin = r.GetInt32(3);
                        var count = r.GetInt64(4);
                        if (bin == BaselineSchema.ZeroBin)
                        {
                            entry.Sketch.AddZero(count);
                        }
                        else
                        {
                            entry.Sketch.AddBin(bin, count);
                        }

                        sketches[key] = entry;
                    }, cancellationToken).ConfigureAwait(false);
                await ReadAsync(connection, $"SELECT service, operation, kind, calls, errors FROM baseline_calls WHERE {filter}",
                    chunk, operation, from, r =>
                    {
                        var key = Key(r);
                        if (sketches.TryGetValue(key, out var e))
                        {
                            sketches[key] = (e.Sketch, e.Calls + r.GetInt64(3), e.Errors + r.GetInt64(4));
                        }
                    }, cancellationToken).ConfigureAwait(false);
            }
        }

        return new BaselineSet(
            sketches.Where(s => s.Value.Sketch.Count > 0)
                .OrderBy(s => s.Key.Service, StringComparer.Ordinal).ThenBy(s => s.Key.Operation, StringComparer.Ordinal).ThenBy(s => s.Key.Kind)
                .Select(s => OperationBaseline.FromSketch(s.Key, s.Value.Sketch, Math.Min(s.Value.Errors, s.Value.Sketch.Count), from, to)),
            Source);
    }

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA2100:Review SQL queries for security vulnerabilities", Justification = "The SQL is constant text and numbered parameter placeholders; every value is a parameter.")]
    private static async Task ReadAsync(DbConnection connection, string sql, string[] services, string? operation, DateTimeOffset from, Action<DbDataReader> row, CancellationToken cancellationToken)
    {
        var command = connection.CreateCommand();
        await using (command.ConfigureAwait(false))
        {
            command.CommandText = sql;
            for (var i = 0; i < services.Length; i++)
            {
                AddParameter(command, "@s" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), services[i]);
            }

            AddParameter(command, "@from", from.ToUnixTimeMilliseconds());
            if (operation is not null)
            {
                AddParameter(command, "@op", operation);
            }

            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    row(reader);
                }
            }
        }
    }

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
