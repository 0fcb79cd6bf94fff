using OpsAssistant.Core.Baselines;
using OpsAssistant.Core.Model;
using OpsAssistant.Infrastructure.Baselines;
using OpsAssistant.Infrastructure.Storage;
using OpsAssistant.Infrastructure.Tests.Storage;

namespace OpsAssistant.Infrastructure.Tests.Baselines;

/// <summary>
/// The baseline tables, run against SQLite and PostgreSQL: sketches written by several recorders (replicas) merge in the
/// database, quantiles stay within the sketch's 1 %, the window and the retention are kept.
/// </summary>
public abstract class BaselineStoreContract : IAsyncLifetime
{
    private RelationalDatabase? _traces;

    protected Clock Time { get; } = new(TestSpans.BaseTime.AddMinutes(30));

    protected BaselineOptions Options { get; } = new();

    protected RelationalBaselineStore Store { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        _traces = await CreateTraceStoreAsync();
        await _traces.InitializeAsync(TestContext.Current.CancellationToken);
        Store = new RelationalBaselineStore(_traces.OpenAsync, Options, Time);
    }

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

        var set = await Store.GetBaselinesAsync([new OperationKey("checkout", "GET /cart", SpanKind.Server)], ct);
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
        Assert.Equal(Time.GetUtcNow(), b.To);
        Assert.Equal(Time.GetUtcNow() - Options.Window, b.From);
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

        var set = await Store.GetBaselinesAsync([new OperationKey("checkout", "GET /cart", SpanKind.Server)], ct);
        Assert.Equal(["GET /cart", "SELECT carts"], set.Operations.Select(o => o.Operation));
        Assert.True(set.KnowsService("checkout"));
        Assert.False(set.KnowsService("payments"));
        var one = await Store.GetServiceAsync("checkout", "SELECT carts", ct);
        Assert.Equal("SELECT carts", Assert.Single(one.Operations).Operation);
    }

    [Fact]
    public async Task GetBaselines_BucketsBeforeTheWindow_AreLeftOut()
    {
        var ct = TestContext.Current.CancellationToken;
        var recorder = new BaselineRecorder();
        recorder.Record([TestSpans.Make(1, 1, durationMs: 10), TestSpans.Make(2, 1, durationMs: 900, start: TimeSpan.FromDays(-3))]);
        await Store.FlushAsync(recorder.Drain(), ct);

        var b = Assert.Single((await Store.GetServiceAsync("checkout", null, ct)).Operations);
        Assert.Equal(1, b.Count);
        Assert.InRange(b.P99Ms, 9.9, 10.1);
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
        Assert.Single((await Store.GetServiceAsync("checkout", null, ct)).Operations);
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
        Assert.Equal(2, Assert.Single((await Store.GetServiceAsync("checkout", null, ct)).Operations).Count);
    }

    /// <summary>A clock the test sets.</summary>
    protected sealed class Clock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
