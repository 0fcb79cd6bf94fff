using OpsAssistant.Core.Baselines;
using OpsAssistant.Core.Model;
using OpsAssistant.Infrastructure.Baselines;
using OpsAssistant.Infrastructure.Storage;
using OpsAssistant.Infrastructure.Tests.Storage;

namespace OpsAssistant.Infrastructure.Tests.Baselines;

/// <summary>
/// The baseline tables, run against SQLite and PostgreSQL: sketches written by several recorders (replicas) merge in the
/// database, quantiles stay within the sketch's 1 %, the window and the retention are kept; the per-operation summaries a
/// lookup reads stay those of the merged bins through replicas racing, buckets leaving the window and a new window length.
/// A lookup is as of an instant and covers the complete buckets before that instant's: the clock stands half an hour into
/// the bucket after <see cref="TestSpans.BaseTime"/>'s, so spans around the base time are history.
/// </summary>
public abstract class BaselineStoreContract : IAsyncLifetime
{
    private RelationalDatabase? _traces;

    protected Clock Time { get; } = new(TestSpans.BaseTime.AddMinutes(90));

    /// <summary>Where the window of a lookup as of now ends: the start of the clock's (hour) bucket.</summary>
    private DateTimeOffset WindowEnd => DateTimeOffset.FromUnixTimeSeconds(Time.GetUtcNow().ToUnixTimeSeconds() / 3600 * 3600);

    protected BaselineOptions Options { get; } = new();

    protected RelationalBaselineStore Store { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        _traces = await CreateTraceStoreAsync();
        await _traces.InitializeAsync(TestContext.Current.CancellationToken);
        Store = new RelationalBaselineStore(_traces.OpenAsync, Options, Time);
    }

    /// <summary>Another replica's store on the same database, with options of its own.</summary>
    protected RelationalBaselineStore Replica(BaselineOptions options) => new(_traces!.OpenAsync, options, Time);

    public async ValueTask DisposeAsync()
    {
        if (_traces is not null)
        {
            await DisposeTraceStoreAsync(_traces);
        }

        GC.SuppressFinalize(this);
    }

    protected abstract Task<RelationalDatabase> CreateTraceStoreAsync();

    protected abstract Task DisposeTraceStoreAsync(RelationalDatabase store);

    [Fact]
    public async Task Flush_TwoReplicas_TheDatabaseMergesTheirSketches()
    {
        var ct = TestContext.Current.CancellationToken;
        var random = new Random(3);
        var all = new List<double>();
        for (var replica = 0; replica < 2; replica++)
        {
            var recorder = new BaselineRecorder();
            var spans = new List<Span>();
            for (var i = 0; i < 500; i++)
            {
                var ms = Math.Round(Math.Exp(random.NextDouble() * 6), 3);
                all.Add(ms);
                spans.Add(TestSpans.Make(replica * 1000 + i, i + 1, durationMs: ms, error: i % 50 == 0));
            }

            recorder.Record(spans);
            await Store.FlushAsync(recorder.Drain(), ct);
        }

        var set = await Store.GetBaselinesAsync([new OperationKey("checkout", "GET /cart", SpanKind.Server)], Time.GetUtcNow(), ct);
        var b = Assert.Single(set.Operations);
        Assert.Equal(1000, b.Count);
        Assert.Equal(0.02, b.ErrorRate);
        var sorted = all.Order().ToArray();
        foreach (var (q, value) in new[] { (0.5, b.P50Ms), (0.9, b.P90Ms), (0.99, b.P99Ms) })
        {
            var exact = sorted[(int)Math.Floor(q * (sorted.Length - 1))];
            Assert.InRange(value, exact * 0.99 - 0.001, exact * 1.01 + 0.001);
        }

        Assert.Equal(RelationalBaselineStore.Source, set.Source);
        Assert.Equal(WindowEnd, b.To);
        Assert.Equal(WindowEnd - Options.Window, b.From);
    }

    [Fact]
    public async Task GetBaselines_ReturnsEveryOperationOfTheAskedServicesOnly()
    {
        var ct = TestContext.Current.CancellationToken;
        var recorder = new BaselineRecorder();
        recorder.Record([
            TestSpans.Make(1, 1, name: "GET /cart"),
            TestSpans.Make(1, 2, name: "SELECT carts"),
            TestSpans.Make(1, 3, service: "payments", name: "Charge"),
        ]);
        await Store.FlushAsync(recorder.Drain(), ct);

        var set = await Store.GetBaselinesAsync([new OperationKey("checkout", "GET /cart", SpanKind.Server)], Time.GetUtcNow(), ct);
        Assert.Equal(["GET /cart", "SELECT carts"], set.Operations.Select(o => o.Operation));
        Assert.True(set.KnowsService("checkout"));
        Assert.False(set.KnowsService("payments"));
        var one = await Store.GetServiceAsync("checkout", "SELECT carts", Time.GetUtcNow(), ct);
        Assert.Equal("SELECT carts", Assert.Single(one.Operations).Operation);
    }

    [Fact]
    public async Task GetBaselines_BucketsBeforeTheWindow_AreLeftOut()
    {
        var ct = TestContext.Current.CancellationToken;
        var recorder = new BaselineRecorder();
        recorder.Record([TestSpans.Make(1, 1, durationMs: 10), TestSpans.Make(2, 1, durationMs: 900, start: TimeSpan.FromDays(-3))]);
        await Store.FlushAsync(recorder.Drain(), ct);

        var b = Assert.Single((await Store.GetServiceAsync("checkout", null, Time.GetUtcNow(), ct)).Operations);
        Assert.Equal(1, b.Count);
        Assert.InRange(b.P99Ms, 9.9, 10.1);
    }

    [Fact]
    public async Task Analyze_NewAndRegressedOperationsInTheTracesBucket_StillJudgedAgainstTheHistoryBefore()
    {
        var ct = TestContext.Current.CancellationToken;
        // History, in the complete bucket before the clock's: the cart calls the cache in about a millisecond.
        var history = new List<Span>();
        for (var i = 0; i < 200; i++)
        {
            history.Add(TestSpans.Make(i, 1, start: TimeSpan.FromSeconds(i * 10), durationMs: 50));
            history.Add(TestSpans.Make(i, 2, parent: 1, name: "MGET", start: TimeSpan.FromSeconds(i * 10) + TimeSpan.FromMilliseconds(5), durationMs: 1 + (i % 5 * 0.1)));
        }

        // The incident, in the clock's bucket: the cache regressed to 300 ms on more calls than history holds, and a new
        // operation runs in every request; the flush service has written all of it, the trace's own spans included.
        var incident = new List<Span>();
        for (var i = 0; i < 300; i++)
        {
            var at = TimeSpan.FromMinutes(65) + TimeSpan.FromSeconds(i * 5);
            incident.Add(TestSpans.Make(1000 + i, 1, start: at, durationMs: 400));
            incident.Add(TestSpans.Make(1000 + i, 2, parent: 1, name: "MGET", start: at + TimeSpan.FromMilliseconds(5), durationMs: 300));
            incident.Add(TestSpans.Make(1000 + i, 3, parent: 1, name: "POST /coupons", start: at + TimeSpan.FromMilliseconds(310), durationMs: 80));
        }

        await FlushAndRefreshAsync(ct, [.. history]);
        await FlushAndRefreshAsync(ct, [.. incident]);
        var trace = new Trace(TestSpans.TraceId(1299), [.. incident.Where(s => s.TraceId == TestSpans.TraceId(1299))]);

        var result = await new OpsAssistant.Core.Analysis.HeuristicEngine(Store).AnalyzeAsync(trace, ct);

        var cache = Assert.Single(result.Hypotheses, h => h.Operation == "MGET");
        Assert.Equal(OpsAssistant.Core.Results.BaselineVerdicts.AboveP99, cache.Baseline?.Verdict);
        Assert.Equal(200L, cache.Baseline?.Count);
        Assert.Contains(cache.Evidence, e => e.Contains("× its p99", StringComparison.Ordinal));
        var coupons = Assert.Single(result.Hypotheses, h => h.Operation == "POST /coupons");
        Assert.Equal(OpsAssistant.Core.Results.BaselineVerdicts.New, coupons.Baseline?.Verdict);
    }

    [Fact]
    public async Task GetBaselines_FirstBucketOfAFreshStore_NoBaselinesUntilItCompletes()
    {
        var ct = TestContext.Current.CancellationToken;
        await FlushAndRefreshAsync(ct, TestSpans.Make(1, 1, start: TimeSpan.FromMinutes(70), durationMs: 10));

        Assert.True((await Store.GetBaselinesAsync([new OperationKey("checkout", "GET /cart", SpanKind.Server)], Time.GetUtcNow(), ct)).IsEmpty);

        Time.Now += TimeSpan.FromHours(1);
        var b = Assert.Single((await Store.GetBaselinesAsync([new OperationKey("checkout", "GET /cart", SpanKind.Server)], Time.GetUtcNow(), ct)).Operations);
        Assert.Equal(1, b.Count);
    }

    [Fact]
    public async Task GetBaselines_AsOfAnOlderBucket_ComputesThatWindowFromTheBins()
    {
        var ct = TestContext.Current.CancellationToken;
        await FlushAndRefreshAsync(ct,
            TestSpans.Make(1, 1, start: TimeSpan.FromHours(-2), durationMs: 10),
            TestSpans.Make(2, 1, start: TimeSpan.FromMinutes(10), durationMs: 900));

        // A trace from 12:40 is judged against the buckets before 12:00: the 900 ms call of 12:10 is not in it.
        var old = Assert.Single((await Store.GetServiceAsync("checkout", null, TestSpans.BaseTime.AddMinutes(40), ct)).Operations);
        Assert.Equal((1L, TestSpans.BaseTime), (old.Count, old.To));
        Assert.InRange(old.P99Ms, 9.9, 10.1);
        var current = Assert.Single((await Store.GetServiceAsync("checkout", null, Time.GetUtcNow(), ct)).Operations);
        Assert.Equal(2, current.Count);

        // The current bucket's answer came from its summary row, the older one's never replaced it.
        Assert.Equal(2L, await ScalarAsync("SELECT count FROM baseline_summaries", ct));
    }

    [Fact]
    public async Task GetBaselines_Cached_ServedOnlyForTheWindowItWasReadFor()
    {
        var ct = TestContext.Current.CancellationToken;
        OperationKey[] cart = [new("checkout", "GET /cart", SpanKind.Server)];
        await FlushAndRefreshAsync(ct, TestSpans.Make(1, 1, durationMs: 10));

        Assert.Equal(1, Assert.Single((await Store.GetBaselinesAsync(cart, Time.GetUtcNow(), ct)).Operations).Count);
        Assert.True((await Store.GetBaselinesAsync(cart, TestSpans.BaseTime.AddMinutes(40), ct)).IsEmpty);
        await FlushAndRefreshAsync(ct, TestSpans.Make(2, 1, durationMs: 10));
        Assert.Equal(2, Assert.Single((await Store.GetBaselinesAsync(cart, Time.GetUtcNow(), ct)).Operations).Count);
        // Within CacheTtl, for the same window: the cached figures.
        await FlushAndRefreshAsync(ct, TestSpans.Make(3, 1, durationMs: 10));
        Assert.Equal(2, Assert.Single((await Store.GetBaselinesAsync(cart, Time.GetUtcNow(), ct)).Operations).Count);
    }

    [Fact]
    public async Task GetBaselines_TheBucketCompleted_TheSummaryOfTheBucketBeforeIsNotServedAndTheSweepRecomputes()
    {
        var ct = TestContext.Current.CancellationToken;
        await FlushAndRefreshAsync(ct, TestSpans.Make(1, 1, durationMs: 10), TestSpans.Make(2, 1, start: TimeSpan.FromMinutes(70), durationMs: 900));
        Assert.Equal(1, Assert.Single((await Store.GetServiceAsync("checkout", null, Time.GetUtcNow(), ct)).Operations).Count);

        Time.Now += TimeSpan.FromHours(1);
        Assert.Equal(2, Assert.Single((await Store.GetServiceAsync("checkout", null, Time.GetUtcNow(), ct)).Operations).Count);
        Assert.Equal(1L, await ScalarAsync("SELECT count FROM baseline_summaries", ct));

        Assert.Equal(1, await Store.RefreshSummariesAsync(ct));
        Assert.Equal(0, await Store.RefreshSummariesAsync(ct));
        Assert.Equal(2L, await ScalarAsync("SELECT count FROM baseline_summaries", ct));
    }

    [Fact]
    public async Task Prune_DeletesBucketsPastTheRetention()
    {
        var ct = TestContext.Current.CancellationToken;
        var recorder = new BaselineRecorder();
        recorder.Record([TestSpans.Make(1, 1), TestSpans.Make(2, 1, start: TimeSpan.FromDays(-5))]);
        await Store.FlushAsync(recorder.Drain(), ct);

        Assert.Equal(2, await Store.PruneAsync(ct));
        Assert.Equal(0, await Store.PruneAsync(ct));
        Assert.Single((await Store.GetServiceAsync("checkout", null, Time.GetUtcNow(), ct)).Operations);
    }

    [Fact]
    public async Task Restore_AfterAFailedFlush_KeepsTheIncrementsForTheNext()
    {
        var ct = TestContext.Current.CancellationToken;
        var recorder = new BaselineRecorder();
        recorder.Record([TestSpans.Make(1, 1, durationMs: 5)]);
        var taken = recorder.Drain();
        recorder.Record([TestSpans.Make(2, 1, durationMs: 7)]);
        recorder.Restore(taken);
        await Store.FlushAsync(recorder.Drain(), ct);
        Assert.Equal(2, Assert.Single((await Store.GetServiceAsync("checkout", null, Time.GetUtcNow(), ct)).Operations).Count);
    }

    [Fact]
    public async Task GetBaselines_AfterRefresh_ReadsTheSummaryRowsOnly()
    {
        var ct = TestContext.Current.CancellationToken;
        Assert.Equal(1, await FlushAndRefreshAsync(ct, TestSpans.Make(1, 1, durationMs: 10, error: true), TestSpans.Make(2, 1, durationMs: 20)));

        // Without its bins, only the summary can still answer (nothing bumped the version, so it is current).
        await ExecuteAsync("DELETE FROM baseline_bins; DELETE FROM baseline_calls", ct);
        var b = Assert.Single((await Store.GetServiceAsync("checkout", null, Time.GetUtcNow(), ct)).Operations);
        Assert.Equal(2, b.Count);
        Assert.Equal(0.5, b.ErrorRate);
        Assert.InRange(b.P99Ms, 9.9, 10.1); // rank ⌊0.99 · (2 − 1)⌋ = 0
        Assert.Equal(WindowEnd - Options.Window, b.From);
        Assert.Equal(WindowEnd, b.To);
    }

    [Fact]
    public async Task GetBaselines_BeforeAnyRefresh_ComputesTheMissingSummariesFromTheBins()
    {
        var ct = TestContext.Current.CancellationToken;
        var recorder = new BaselineRecorder();
        recorder.Record([TestSpans.Make(1, 1, durationMs: 10), TestSpans.Make(1, 2, name: "SELECT carts", durationMs: 3)]);
        await Store.FlushAsync(recorder.Drain(), ct);

        var set = await Store.GetBaselinesAsync([new OperationKey("checkout", "GET /cart", SpanKind.Server)], Time.GetUtcNow(), ct);
        Assert.Equal(["GET /cart", "SELECT carts"], set.Operations.Select(o => o.Operation));
        Assert.Equal(0L, await ScalarAsync("SELECT COUNT(*) FROM baseline_summaries", ct));

        // A restart's first pass (the flush service's) writes them.
        Assert.Equal(2, await Store.RefreshSummariesAsync(ct));
        Assert.Equal(0, await Store.RefreshSummariesAsync(ct));
    }

    [Fact]
    public async Task Refresh_ReplicasRefreshingOutOfOrder_TheSummaryFromTheNewerBinsStays()
    {
        var ct = TestContext.Current.CancellationToken;
        var other = Replica(Options);
        var first = new BaselineRecorder();
        first.Record([TestSpans.Make(1, 1, durationMs: 10)]);
        var firstTouched = await Store.FlushAsync(first.Drain(), ct);
        var second = new BaselineRecorder();
        second.Record([TestSpans.Make(2, 1, durationMs: 30), TestSpans.Make(3, 1, durationMs: 30)]);
        var secondTouched = await other.FlushAsync(second.Drain(), ct);
        Assert.True(secondTouched[0].Version > firstTouched[0].Version);

        // The second replica's refresh lands first; the first replica's, computed for an older version, must not undo it.
        await other.RefreshSummariesAsync(secondTouched, ct);
        await ExecuteAsync("DELETE FROM baseline_bins", ct);
        await Store.RefreshSummariesAsync(firstTouched, ct);
        Assert.Equal(3L, await ScalarAsync("SELECT count FROM baseline_summaries", ct));
        Assert.Equal(3, Assert.Single((await Store.GetServiceAsync("checkout", null, Time.GetUtcNow(), ct)).Operations).Count);
    }

    [Fact]
    public async Task FlushAndRefresh_TwoReplicasAtOnce_TheSummaryCountsEveryCall()
    {
        var ct = TestContext.Current.CancellationToken;
        var replicas = new[] { Store, Replica(Options) };
        await Task.WhenAll(replicas.Select((store, r) => Task.Run(async () =>
        {
            for (var round = 0; round < 10; round++)
            {
                var recorder = new BaselineRecorder();
                recorder.Record([.. Enumerable.Range(0, 20).Select(i => TestSpans.Make((r * 1000) + (round * 20) + i, 1, name: i % 2 == 0 ? "GET /cart" : "POST /cart", durationMs: 5 + i))]);
                await store.RefreshSummariesAsync(await store.FlushAsync(recorder.Drain(), ct), ct);
            }
        }, ct)));

        Assert.Equal(400L, await ScalarAsync("SELECT SUM(count) FROM baseline_summaries", ct));
        Assert.Equal(0, await Store.RefreshSummariesAsync(ct));
        Assert.All((await Store.GetServiceAsync("checkout", null, Time.GetUtcNow(), ct)).Operations, b => Assert.Equal(200, b.Count));
    }

    [Fact]
    public async Task GetBaselines_ABucketLeftTheWindow_IsNotServedAndTheSweepRecomputes()
    {
        var ct = TestContext.Current.CancellationToken;
        await FlushAndRefreshAsync(ct, TestSpans.Make(1, 1, durationMs: 900, start: TimeSpan.FromHours(-23)), TestSpans.Make(2, 1, durationMs: 10));
        Assert.Equal(2, Assert.Single((await Store.GetServiceAsync("checkout", null, Time.GetUtcNow(), ct)).Operations).Count);

        Time.Now += TimeSpan.FromHours(1);
        var b = Assert.Single((await Store.GetServiceAsync("checkout", null, Time.GetUtcNow(), ct)).Operations);
        Assert.Equal(1, b.Count);
        Assert.InRange(b.P99Ms, 9.9, 10.1);
        Assert.Equal(2L, await ScalarAsync("SELECT count FROM baseline_summaries", ct));

        Assert.Equal(1, await Store.RefreshSummariesAsync(ct));
        Assert.Equal(1L, await ScalarAsync("SELECT count FROM baseline_summaries", ct));
    }

    [Fact]
    public async Task GetBaselines_AnotherWindowLength_IsNeverServedTheOthersSummary()
    {
        var ct = TestContext.Current.CancellationToken;
        await FlushAndRefreshAsync(ct, TestSpans.Make(1, 1, durationMs: 900, start: TimeSpan.FromHours(-5)), TestSpans.Make(2, 1, durationMs: 10));

        var hour = Replica(new BaselineOptions { Window = TimeSpan.FromHours(1) });
        var b = Assert.Single((await hour.GetServiceAsync("checkout", null, Time.GetUtcNow(), ct)).Operations);
        Assert.Equal(1, b.Count);
        Assert.Equal(WindowEnd - TimeSpan.FromHours(1), b.From);

        Assert.Equal(1, await hour.RefreshSummariesAsync(ct));
        Assert.Equal(2L, await ScalarAsync("SELECT COUNT(*) FROM baseline_summaries", ct));
        Assert.Equal(2, Assert.Single((await Store.GetServiceAsync("checkout", null, Time.GetUtcNow(), ct)).Operations).Count);
        Assert.Equal(1, Assert.Single((await hour.GetServiceAsync("checkout", null, Time.GetUtcNow(), ct)).Operations).Count);
    }

    [Fact]
    public async Task Flush_AnOperationBackAfterThePrune_OutranksItsOldSummary()
    {
        var ct = TestContext.Current.CancellationToken;
        await FlushAndRefreshAsync(ct, TestSpans.Make(1, 1, durationMs: 10));
        // Two hours on, the retention is one hour: the bins and the operation go, the summary (computed in the last hour) stays.
        Options.Retention = TimeSpan.FromHours(1);
        Time.Now += TimeSpan.FromHours(2);
        await ExecuteAsync("UPDATE baseline_summaries SET computed_ms = computed_ms + 7200000", ct);
        await Store.PruneAsync(ct);
        Assert.Equal(0L, await ScalarAsync("SELECT COUNT(*) FROM baseline_operations", ct));
        Assert.Equal(1L, await ScalarAsync("SELECT COUNT(*) FROM baseline_summaries", ct));

        Assert.Equal(1, await FlushAndRefreshAsync(ct, TestSpans.Make(2, 1, durationMs: 50, start: TimeSpan.FromHours(2)), TestSpans.Make(3, 1, durationMs: 50, start: TimeSpan.FromHours(2))));
        var b = Assert.Single((await Store.GetServiceAsync("checkout", null, Time.GetUtcNow(), ct)).Operations);
        Assert.Equal(2, b.Count);
        Assert.Equal(2L, await ScalarAsync("SELECT count FROM baseline_summaries", ct));
    }

    [Fact]
    public async Task Migration10_ADatabaseWithBinsAlready_RegistersItsOperationsForTheFirstPass()
    {
        var ct = TestContext.Current.CancellationToken;
        var recorder = new BaselineRecorder();
        recorder.Record([TestSpans.Make(1, 1, durationMs: 10), TestSpans.Make(1, 2, service: "payments", name: "Charge", durationMs: 30)]);
        await Store.FlushAsync(recorder.Drain(), ct);
        // As a database at version 9 was: bins, no summary tables.
        await ExecuteAsync("DROP TABLE baseline_operations; DROP TABLE baseline_summaries", ct);

        await ExecuteAsync(StorageMigrations.All[9].For(_traces!.Dialect), ct);
        await ExecuteAsync(StorageMigrations.All[9].For(_traces!.Dialect), ct); // idempotent, as every step must be

        Assert.Equal(2L, await ScalarAsync("SELECT COUNT(*) FROM baseline_operations", ct));
        Assert.Equal(1, Assert.Single((await Store.GetServiceAsync("payments", null, Time.GetUtcNow(), ct)).Operations).Count);
        Assert.Equal(2, await Store.RefreshSummariesAsync(ct));
        Assert.Equal(2L, await ScalarAsync("SELECT SUM(count) FROM baseline_summaries", ct));
    }

    [Fact]
    public async Task FlushService_FlushOnce_WritesTheBinsAndTheSummariesIncludingAnotherReplicasUnrefreshedOnes()
    {
        var ct = TestContext.Current.CancellationToken;
        // Another replica flushed and stopped before its refresh.
        var other = new BaselineRecorder();
        other.Record([TestSpans.Make(1, 1, service: "payments", name: "Charge", durationMs: 40)]);
        await Replica(Options).FlushAsync(other.Drain(), ct);

        var recorder = new BaselineRecorder();
        using var service = new BaselineFlushService(recorder, Store, Microsoft.Extensions.Options.Options.Create(Options), Time,
            Microsoft.Extensions.Logging.Abstractions.NullLogger<BaselineFlushService>.Instance);
        recorder.Record([TestSpans.Make(2, 1, durationMs: 10), TestSpans.Make(3, 1, durationMs: 12)]);
        await service.FlushOnceAsync(ct);

        Assert.Equal(0, recorder.PendingCount);
        Assert.Equal(2L, await ScalarAsync("SELECT COUNT(*) FROM baseline_summaries", ct));
        Assert.Equal(3L, await ScalarAsync("SELECT SUM(count) FROM baseline_summaries", ct));
    }

    [Fact]
    public async Task FlushService_RefreshFails_TheWrittenIncrementsAreNotPutBack()
    {
        var ct = TestContext.Current.CancellationToken;
        var recorder = new BaselineRecorder();
        using var service = new BaselineFlushService(recorder, Store, Microsoft.Extensions.Options.Options.Create(Options), Time,
            Microsoft.Extensions.Logging.Abstractions.NullLogger<BaselineFlushService>.Instance);
        await ExecuteAsync("DROP TABLE baseline_summaries", ct);
        recorder.Record([TestSpans.Make(1, 1, durationMs: 10)]);

        await service.FlushOnceAsync(ct);

        // The bins are in; the increments putting them twice would double the count at the next flush.
        Assert.Equal(0, recorder.PendingCount);
        Assert.Equal(1L, await ScalarAsync("SELECT SUM(calls) FROM baseline_calls", ct));
    }

    /// <summary>What the flush service does with the spans of one flush: write their bins, then refresh the summaries they touched.</summary>
    private async Task<int> FlushAndRefreshAsync(CancellationToken ct, params Span[] spans)
    {
        var recorder = new BaselineRecorder();
        recorder.Record(spans);
        return await Store.RefreshSummariesAsync(await Store.FlushAsync(recorder.Drain(), ct), ct);
    }

    private Task ExecuteAsync(string sql, CancellationToken ct) => ScalarAsync(sql, ct);

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA2100:Review SQL queries for security vulnerabilities", Justification = "The tests' own constant SQL.")]
    private async Task<long> ScalarAsync(string sql, CancellationToken ct)
    {
        await using var connection = await _traces!.OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        // A statement that returns no row (DELETE, UPDATE) reads as 0.
        return Convert.ToInt64(await command.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>A clock the test sets.</summary>
    protected sealed class Clock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
