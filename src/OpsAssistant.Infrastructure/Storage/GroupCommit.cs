using System.Data.Common;

namespace OpsAssistant.Infrastructure.Storage;

/// <summary>
/// Group commit: concurrent callers' writes share one transaction instead of each queueing for the database's writer
/// (SQLite has one) with a transaction of its own. A caller's task completes only after the transaction holding its
/// request committed, so an acknowledged write is as durable as before. While a group is being written, newly arriving
/// requests gather and go together as the next group; a lone request is written at once, never delayed to wait for
/// company. When a group fails, each of its requests is written again in a transaction of its own, so one bad request
/// fails alone with its own error and the others are stored.
/// </summary>
/// <typeparam name="TRequest">One caller's write (a batch of spans, an analysis to queue).</typeparam>
/// <typeparam name="TResult">What the caller learns of it (spans stored, whether the row was new).</typeparam>
internal sealed class GroupCommit<TRequest, TResult>
{
    /// <summary>Writes a group inside the given transaction and answers each request, in order.</summary>
    public delegate Task<TResult[]> WriteGroup(DbConnection connection, DbTransaction transaction, IReadOnlyList<TRequest> group, CancellationToken cancellationToken);

    private readonly RelationalDatabase _database;
    private readonly WriteGroup _write;
    private readonly Func<TRequest, int> _weight;
    private readonly int _maxGroupWeight;
    private readonly int _maxWriters;
    private readonly Lock _lock = new();
    private readonly Queue<Pending> _queue = new();
    private int _writers;
    private long _groups;

    /// <param name="database">Where the groups are written.</param>
    /// <param name="write">Writes one group inside a transaction.</param>
    /// <param name="weight">A request's size (spans), to bound a group's transaction.</param>
    /// <param name="maxGroupWeight">The most a group holds; a heavier single request still goes alone.</param>
    /// <param name="maxWriters">Groups written at once: 1 for SQLite's single writer; more where the database has row locks.</param>
    public GroupCommit(RelationalDatabase database, WriteGroup write, Func<TRequest, int> weight, int maxGroupWeight, int maxWriters)
    {
        _database = database;
        _write = write;
        _weight = weight;
        _maxGroupWeight = maxGroupWeight;
        _maxWriters = Math.Max(1, maxWriters);
    }

    /// <summary>Groups written so far (for tests and the benchmark): fewer than requests means commits were shared.</summary>
    public long Groups => Interlocked.Read(ref _groups);

    /// <summary>Requests waiting for a writer (for tests).</summary>
    internal int Queued
    {
        get
        {
            lock (_lock)
            {
                return _queue.Count;
            }
        }
    }

    /// <summary>Writes <paramref name="request"/> with whatever else is waiting; completes once it is committed.</summary>
    public async Task<TResult> WriteAsync(TRequest request, CancellationToken cancellationToken)
    {
        // Schema first, on the caller: a migration failure belongs to the caller that hit it.
        await _database.InitializeAsync(cancellationToken).ConfigureAwait(false);
        var pending = new Pending(request, _weight(request));
        bool startWriter;
        lock (_lock)
        {
            _queue.Enqueue(pending);
            startWriter = _writers < _maxWriters;
            if (startWriter)
            {
                _writers++;
            }
        }

        if (startWriter)
        {
            _ = Task.Run(DrainAsync, CancellationToken.None);
        }

        // A caller that gives up stops waiting; its request, already queued, is still written (writes are idempotent).
        return await pending.Completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task DrainAsync()
    {
        while (true)
        {
            var group = new List<Pending>();
            lock (_lock)
            {
                var weight = 0;
                while (_queue.TryPeek(out var next) && (group.Count == 0 || weight + next.Weight <= _maxGroupWeight))
                {
                    group.Add(_queue.Dequeue());
                    weight += next.Weight;
                }

                if (group.Count == 0)
                {
                    _writers--;
                    return;
                }
            }

            await CommitAsync(group).ConfigureAwait(false);
        }
    }

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1031:Do not catch general exception types", Justification = "Every failure is handed to the callers whose requests it concerns; the writer loop itself must go on.")]
    private async Task CommitAsync(List<Pending> group)
    {
        try
        {
            var results = await WriteInTransactionAsync(group.ConvertAll(p => p.Request)).ConfigureAwait(false);
            for (var i = 0; i < group.Count; i++)
            {
                group[i].Completion.TrySetResult(results[i]);
            }

            return;
        }
        catch (Exception ex) when (group.Count == 1)
        {
            group[0].Completion.TrySetException(ex);
            return;
        }
        catch (Exception)
        {
            // Which request broke the group is unknown: each goes again alone and gets its own outcome.
        }

        foreach (var pending in group)
        {
            try
            {
                var results = await WriteInTransactionAsync([pending.Request]).ConfigureAwait(false);
                pending.Completion.TrySetResult(results[0]);
            }
            catch (Exception ex)
            {
                pending.Completion.TrySetException(ex);
            }
        }
    }

    private async Task<TResult[]> WriteInTransactionAsync(IReadOnlyList<TRequest> requests)
    {
        // Not the callers' tokens: a group is shared, so no one caller's cancellation may tear it.
        await using var connection = await _database.OpenAsync(CancellationToken.None).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(CancellationToken.None).ConfigureAwait(false);
        var results = await _write(connection, transaction, requests, CancellationToken.None).ConfigureAwait(false);
        await transaction.CommitAsync(CancellationToken.None).ConfigureAwait(false);
        Interlocked.Increment(ref _groups);
        return results;
    }

    private sealed class Pending(TRequest request, int weight)
    {
        public TRequest Request { get; } = request;

        public int Weight { get; } = weight;

        public TaskCompletionSource<TResult> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
