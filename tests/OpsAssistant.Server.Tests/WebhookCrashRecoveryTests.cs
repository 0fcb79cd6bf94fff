using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using Npgsql;
using OpsAssistant.Core.Analyses;
using OpsAssistant.Core.Formats;
using OpsAssistant.Infrastructure.Storage;
using OpsAssistant.Tests;


namespace OpsAssistant.Server.Tests;

/// <summary>
/// 500 alerts through two replicas of the real service sharing one database; one replica is killed with SIGKILL mid-way and
/// started again. Every alert ends as exactly one done analysis and every notification arrives, on SQLite and PostgreSQL.
/// </summary>
public sealed class WebhookCrashRecoveryTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Alerts = 500;
    private const int AlertsPerDelivery = 10;
    private const string TraceId = "7c4f1a90b3e84d2f9a6c5e8017b3d264";

    private readonly string _directory = Directory.CreateTempSubdirectory("opsassistant-crash-").FullName;
    private readonly List<ServerProcess> _servers = [];
    private RecordingReceiver _receiver = null!;
    private string? _postgresSchema;

    public async ValueTask InitializeAsync() => _receiver = await RecordingReceiver.StartAsync();

    public async ValueTask DisposeAsync()
    {
        foreach (var server in _servers)
        {
            server.Dispose();
        }

        await _receiver.DisposeAsync();
        if (_postgresSchema is not null)
        {
            await using var admin = new NpgsqlConnection(TestDependencies.PostgresConnectionString());
            await admin.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP SCHEMA IF EXISTS {_postgresSchema} CASCADE", admin);
            await drop.ExecuteNonQueryAsync();
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // The OS cleans its temp folder later.
        }
    }

    [Theory]
    [InlineData("Sqlite")]
    [InlineData("Postgres")]
    public async Task FiveHundredAlerts_ReplicaKilledMidwayAndRestarted_EveryAnalysisCompletesExactlyOnce(string provider)
    {
        var storage = await StorageAsync(provider);

        var settings = new Dictionary<string, string>(storage)
        {
            ["OpsAssistant:Webhooks:Lease"] = "00:00:02",
            ["OpsAssistant:Webhooks:PollInterval"] = "00:00:00.250",
            ["OpsAssistant:Webhooks:WorkerConcurrency"] = "4",
            ["OpsAssistant:Notifications:Url"] = new Uri(_receiver.BaseAddress, "notify").ToString(),
            ["OpsAssistant:Notifications:PollInterval"] = "00:00:00.250",
            ["OpsAssistant:Notifications:RetryDelay"] = "00:00:00.200",

            // A killed replica's claimed notifications wait out twice this before another replica sends them.
            ["OpsAssistant:Notifications:Timeout"] = "00:00:03",
        };
        var doomed = await StartAsync(settings);
        var survivor = await StartAsync(settings);
        await IngestAsync(survivor);

        var deliveries = Enumerable.Range(0, Alerts / AlertsPerDelivery).Select(Delivery).ToList();
        var acknowledged = new ConcurrentDictionary<int, bool>();
        var clock = System.Diagnostics.Stopwatch.StartNew();

        // Every delivery goes to the two replicas in turn (a load balancer); one dies while deliveries and jobs are in flight.
        var sending = PostAllAsync(deliveries, n => n % 2 == 0 ? doomed : survivor, acknowledged);
        await WaitUntilAsync(() => _receiver.Requests.Count >= 5, "the first notifications");
        doomed.Kill();
        var state = await OpenStoreAsync(storage);
        var doneAtKill = await CountAsync(state, AnalysisStatus.Done);
        output.WriteLine($"{clock.Elapsed}: killed one replica with {doneAtKill} done, {await state.CountPendingAsync()} pending");
        await sending;
        output.WriteLine($"{clock.Elapsed}: {acknowledged.Count} of {deliveries.Count} deliveries acknowledged");

        // The sender redelivers what was not acknowledged, plus some that were (Alertmanager regroups and repeats).
        var restarted = await StartAsync(settings);
        output.WriteLine($"{clock.Elapsed}: restarted");
        await PostAllAsync(deliveries.Where(d => !acknowledged.ContainsKey(d.Number) || d.Number % 5 == 0), n => n % 2 == 0 ? restarted : survivor, acknowledged);
        Assert.Equal(deliveries.Count, acknowledged.Count);

        await WaitUntilAsync(async () => await CountAsync(state, AnalysisStatus.Done) == Alerts && await state.CountPendingAsync() == 0, "every analysis done", state);
        output.WriteLine($"{clock.Elapsed}: all done");
        await WaitUntilAsync(() => DistinctNotified() == Alerts, "every notification");
        output.WriteLine($"{clock.Elapsed}: all notified");

        var ids = deliveries.SelectMany(d => d.Ids).ToList();
        Assert.Equal(Alerts, ids.Distinct().Count());
        foreach (var id in ids)
        {
            var record = await ((IAnalysisStore)state).GetAsync(id);
            Assert.NotNull(record);
            Assert.Equal(AnalysisStatus.Done, record.Status);
            Assert.Equal(id, record.Result!.AnalysisId);
            Assert.Equal("payment", record.Result.Hypotheses[0].Service);
        }

        Assert.Equal(Alerts, await CountAsync(state, null));
        var notifications = _receiver.Requests.Where(r => r.Path == "/notify").ToList();
        var duplicates = notifications.Count - DistinctNotified();
        output.WriteLine($"{doneAtKill} done at the kill; {notifications.Count} notifications for {Alerts} analyses ({duplicates} redelivered)");
        Assert.True(doneAtKill < Alerts, "The kill came after all the work was done; the test proved nothing.");

        // At-least-once delivery: only a notification in flight at the kill may arrive twice.
        Assert.InRange(duplicates, 0, 8);
        Assert.All(notifications, n => Assert.StartsWith("alert-", n.Headers["Idempotency-Key"], StringComparison.Ordinal));
    }

    [Fact]
    public async Task PostgresConnectionsCutMidQueue_AsByARestart_EveryAcceptedAlertStillCompletesOnce()
    {
        var storage = await StorageAsync("Postgres");

        // Only this service's sessions are cut (by application name), so other tests on the same server are untouched.
        var application = "oa-restart-" + Guid.NewGuid().ToString("N")[..8];
        storage["OpsAssistant:Storage:ConnectionString"] = new NpgsqlConnectionStringBuilder(storage["OpsAssistant:Storage:ConnectionString"]) { ApplicationName = application }.ToString();
        var server = await StartAsync(new Dictionary<string, string>(storage)
        {
            ["OpsAssistant:Webhooks:Lease"] = "00:00:02",
            ["OpsAssistant:Webhooks:PollInterval"] = "00:00:00.250",
        });
        await IngestAsync(server);
        var deliveries = Enumerable.Range(0, 20).Select(Delivery).ToList();
        var acknowledged = new ConcurrentDictionary<int, bool>();

        var sending = PostAllAsync(deliveries, _ => server, acknowledged);
        var cut = 0;
        for (var round = 0; round < 4; round++)
        {
            await Task.Delay(150);
            cut += await TerminateSessionsAsync(application);
        }

        await sending;
        for (var retry = 0; retry < 10 && acknowledged.Count < deliveries.Count; retry++)
        {
            // The sender retries what was refused (503 while the store was away).
            await PostAllAsync(deliveries.Where(d => !acknowledged.ContainsKey(d.Number)), _ => server, acknowledged);
        }

        output.WriteLine($"cut {cut} sessions; {acknowledged.Count} deliveries acknowledged");
        Assert.Equal(deliveries.Count, acknowledged.Count);
        Assert.True(cut > 0, "No session was cut; the test proved nothing.");
        var state = await OpenStoreAsync(storage);
        await WaitUntilAsync(async () => await CountAsync(state, AnalysisStatus.Done) == deliveries.Count * AlertsPerDelivery && await state.CountPendingAsync() == 0,
            "every analysis done", state);
        Assert.Equal(deliveries.Count * AlertsPerDelivery, await CountAsync(state, null));
        using var probe = new HttpClient { BaseAddress = server.BaseAddress };
        Assert.Equal(HttpStatusCode.OK, (await probe.GetAsync("readyz")).StatusCode);
    }

    private static async Task<int> TerminateSessionsAsync(string application)
    {
        await using var admin = new NpgsqlConnection(TestDependencies.PostgresConnectionString());
        await admin.OpenAsync();
        await using var terminate = new NpgsqlCommand("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = @application", admin);
        terminate.Parameters.AddWithValue("application", application);
        return Convert.ToInt32(await terminate.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private int DistinctNotified() => _receiver.Requests.Where(r => r.Path == "/notify").Select(r => r.Headers["Idempotency-Key"]).Distinct().Count();

    private async Task<ServerProcess> StartAsync(IReadOnlyDictionary<string, string> settings)
    {
        var server = await ServerProcess.StartAsync(settings);
        _servers.Add(server);
        return server;
    }

    private static async Task PostAllAsync(IEnumerable<AlertDelivery> deliveries, Func<int, ServerProcess> route, ConcurrentDictionary<int, bool> acknowledged)
    {
        // Four senders at once, as Alertmanager's parallel group notifications would be.
        await Parallel.ForEachAsync(deliveries, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (delivery, cancellationToken) =>
        {
            using var client = new HttpClient { BaseAddress = route(delivery.Number).BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
            try
            {
                using var response = await client.PostAsync("webhooks/alertmanager", new StringContent(delivery.Body, Encoding.UTF8, "application/json"), cancellationToken);
                if (response.StatusCode == HttpStatusCode.Accepted)
                {
                    acknowledged[delivery.Number] = true;
                }
            }
            catch (HttpRequestException)
            {
                // The replica died under this request: not acknowledged, so the sender will redeliver it.
            }
        });
    }

    private static AlertDelivery Delivery(int number)
    {
        var alerts = Enumerable.Range(0, AlertsPerDelivery).Select(i => new
        {
            status = "firing",
            labels = new Dictionary<string, string> { ["alertname"] = "CheckoutErrors", ["service"] = "checkout", ["trace_id"] = TraceId, ["pod"] = $"checkout-{number}-{i}" },
            annotations = new Dictionary<string, string>(),
            startsAt = "2026-11-25T08:00:00Z",
            fingerprint = $"{number:x8}{i:x8}",
        }).ToList();
        var body = JsonSerializer.Serialize(new { version = "4", status = "firing", receiver = "opsassistant", alerts });
        var ids = Webhooks.AlertPayloadParser.Parse(Encoding.UTF8.GetBytes(body)).Select(alert => Webhooks.WebhookEndpoints.AnalysisId(alert, alert.TraceId)).ToList();
        return new AlertDelivery(number, body, ids);
    }

    private async Task<Dictionary<string, string>> StorageAsync(string provider)
    {
        if (provider == "Sqlite")
        {
            return new() { ["OpsAssistant:Storage:Provider"] = "Sqlite", ["OpsAssistant:Storage:Path"] = Path.Combine(_directory, "traces.db") };
        }

        var baseConnection = TestDependencies.PostgresConnectionString();

        _postgresSchema = "crash_test_" + Guid.NewGuid().ToString("N");
        await using (var admin = new NpgsqlConnection(baseConnection))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE SCHEMA {_postgresSchema}", admin);
            await create.ExecuteNonQueryAsync();
        }

        return new()
        {
            ["OpsAssistant:Storage:Provider"] = "Postgres",
            ["OpsAssistant:Storage:ConnectionString"] = new NpgsqlConnectionStringBuilder(baseConnection) { SearchPath = _postgresSchema }.ToString(),
        };
    }

    private static Task<RelationalTraceStore> OpenStoreAsync(IReadOnlyDictionary<string, string> storage) => Task.FromResult<RelationalTraceStore>(
        storage["OpsAssistant:Storage:Provider"] == "Postgres"
            ? new PostgresTraceStore(storage["OpsAssistant:Storage:ConnectionString"])
            : new SqliteTraceStore(SqliteTraceStore.ConnectionStringForFile(storage["OpsAssistant:Storage:Path"])));

    private static async Task<int> CountAsync(RelationalTraceStore store, AnalysisStatus? status)
    {
        var counts = await store.CountByStatusAsync();
        return status is null ? counts.Values.Sum() : counts.GetValueOrDefault(status.Value);
    }

    private static async Task IngestAsync(ServerProcess server)
    {
        using var client = new HttpClient { BaseAddress = server.BaseAddress };
        await WebhookTestKit.IngestAsync(client);
    }

    private Task WaitUntilAsync(Func<bool> condition, string what) => WaitUntilAsync(() => Task.FromResult(condition()), what, null);

    private async Task WaitUntilAsync(Func<Task<bool>> condition, string what, RelationalTraceStore? store)
    {
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                var counts = store is null ? "" : string.Join(", ", (await store.CountByStatusAsync()).Select(c => $"{c.Key}={c.Value}"));
                Assert.Fail($"Timed out waiting for {what} ({counts}; {_receiver.Requests.Count} notifications).\n{string.Join("\n---\n", _servers.Select(s => s.Output))}");
            }

            await Task.Delay(250);
        }
    }

    private sealed record AlertDelivery(int Number, string Body, IReadOnlyList<string> Ids);
}
