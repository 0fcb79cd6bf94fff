using System.Collections.Concurrent;
using System.Data.Common;
using OpsAssistant.Infrastructure.Storage;

namespace OpsAssistant.Infrastructure.Tests.Storage;

/// <summary>Group commit on a real SQLite file: requests that wait together share a transaction, and a failure stays with its request.</summary>
public sealed class GroupCommitTests : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("opsassistant-group-").FullName;
    private readonly ConcurrentQueue<string[]> _groups = new();
    private readonly TaskCompletionSource _firstStarted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private SqliteDatabase _database = null!;

    public async ValueTask InitializeAsync()
    {
        _database = new SqliteDatabase(SqliteDatabase.ConnectionStringForFile(Path.Combine(_directory, "group.db")));
        await using var connection = await _database.OpenAsync();
        await using var create = connection.CreateCommand();
        create.CommandText = "CREATE TABLE written (id TEXT NOT NULL PRIMARY KEY)";
        await create.ExecuteNonQueryAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _database.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Write_RequestsArrivingWhileAGroupIsWritten_ShareTheNextCommit()
    {
        var commit = Create();
        var first = commit.WriteAsync("first", CancellationToken.None);
        await _firstStarted.Task;

        var waiting = new[] { "a", "b", "c" }.Select(id => commit.WriteAsync(id, CancellationToken.None)).ToList();
        await WaitForQueuedAsync(commit, 3);
        _gate.SetResult();

        Assert.Equal(5, await first);
        var answers = await Task.WhenAll(waiting);
        Assert.Equal([1, 1, 1], answers);
        Assert.Equal([["first"], ["a", "b", "c"]], _groups.ToArray());
        Assert.Equal(2, commit.Groups);
        var written = await WrittenAsync();
        Assert.Equal(["a", "b", "c", "first"], written);
    }

    [Fact]
    public async Task Write_OneRequestOfAGroupFails_ItAloneGetsTheErrorAndTheOthersAreCommitted()
    {
        var commit = Create();
        var first = commit.WriteAsync("first", CancellationToken.None);
        await _firstStarted.Task;

        var good1 = commit.WriteAsync("a", CancellationToken.None);
        var bad = commit.WriteAsync("bad", CancellationToken.None);
        var good2 = commit.WriteAsync("c", CancellationToken.None);
        await WaitForQueuedAsync(commit, 3);
        _gate.SetResult();

        await first;
        Assert.Equal(1, await good1);
        Assert.Equal(1, await good2);
        await Assert.ThrowsAnyAsync<DbException>(() => bad);

        // The shared attempt rolled back whole; each request then went alone.
        Assert.Equal([["first"], ["a", "bad", "c"], ["a"], ["bad"], ["c"]], _groups.ToArray());
        var written = await WrittenAsync();
        Assert.Equal(["a", "c", "first"], written);
    }

    [Fact]
    public async Task Write_ManyConcurrentWriters_EveryOneIsCommittedAndAnswered()
    {
        _gate.SetResult();
        var commit = Create();

        var results = await Task.WhenAll(Enumerable.Range(0, 40).Select(n => Task.Run(() => commit.WriteAsync("w" + n.ToString("D2", System.Globalization.CultureInfo.InvariantCulture), CancellationToken.None))));

        Assert.All(results, r => Assert.Equal(3, r));
        Assert.Equal(40, (await WrittenAsync()).Count);
        Assert.Equal(40, _groups.Sum(g => g.Length));
    }

    /// <summary>Inserts each request's ID (the ID "bad" as NULL, which the table refuses); answers each ID's length.</summary>
    private GroupCommit<string, int> Create() => new(_database, async (connection, transaction, group, cancellationToken) =>
    {
        _groups.Enqueue([.. group]);
        if (group.Contains("first"))
        {
            _firstStarted.TrySetResult();
            await _gate.Task;
        }

        foreach (var id in group)
        {
            await using var insert = connection.CreateCommand();
            insert.Transaction = transaction;
            insert.CommandText = "INSERT INTO written (id) VALUES (@id)";
            var parameter = insert.CreateParameter();
            parameter.ParameterName = "@id";
            parameter.Value = id == "bad" ? DBNull.Value : id;
            insert.Parameters.Add(parameter);
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        return [.. group.Select(id => id.Length)];
    }, _ => 1, maxGroupWeight: 100, maxWriters: 1);

    /// <summary>Waits until the writer's queue holds <paramref name="count"/> requests (they are enqueued on other threads' awaits).</summary>
    private static async Task WaitForQueuedAsync(GroupCommit<string, int> commit, int count)
    {
        while (commit.Queued < count)
        {
            await Task.Delay(5);
        }
    }

    private async Task<List<string>> WrittenAsync()
    {
        await using var connection = await _database.OpenAsync();
        await using var select = connection.CreateCommand();
        select.CommandText = "SELECT id FROM written ORDER BY id";
        var ids = new List<string>();
        await using var reader = await select.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            ids.Add(reader.GetString(0));
        }

        return ids;
    }
}
