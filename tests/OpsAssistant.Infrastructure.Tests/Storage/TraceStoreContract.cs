using System.Globalization;
using OpsAssistant.Core.Analyses;
using OpsAssistant.Core.Conversations;
using OpsAssistant.Core.Formats;
using OpsAssistant.Core.Results;
using OpsAssistant.Core.Model;
using OpsAssistant.Core.Sources;
using OpsAssistant.Infrastructure.Storage;
using Attribute = OpsAssistant.Core.Model.Attribute;

namespace OpsAssistant.Infrastructure.Tests.Storage;

/// <summary>
/// The behaviour every repository (<see cref="ITraceStore"/>, <see cref="IAnalysisStore"/> and <see cref="IAnalysisQueue"/>,
/// <see cref="IConversationStore"/>, the sampling overrides) owes, run once per database. Each test gets a fresh, empty store;
/// a derived class whose database is unavailable skips its tests from <see cref="CreateStoreAsync"/> with the reason
/// (on CI it fails them instead).
/// </summary>
public abstract partial class TraceStoreContract : IAsyncLifetime
{
    private StoreRepositories? _store;

    /// <summary>Every repository over this test's database.</summary>
    protected StoreRepositories Store => _store!;

    public async ValueTask InitializeAsync() => _store = StoreRepositories.Over(await CreateDatabaseAsync());

    public async ValueTask DisposeAsync()
    {
        if (_store is not null)
        {
            await DisposeDatabaseAsync(_store.Database);
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>A fresh, empty database; skips the test (see <c>TestDependencies</c>) when this database is unavailable.</summary>
    protected abstract Task<RelationalDatabase> CreateDatabaseAsync();

    protected abstract Task DisposeDatabaseAsync(RelationalDatabase database);

    /// <summary>A second database object over the same database, as another process or replica would open it.</summary>
    protected abstract RelationalDatabase OpenAnotherDatabase();

    /// <summary>The repositories over <see cref="OpenAnotherDatabase"/>.</summary>
    protected StoreRepositories OpenAnotherStore(int traceCacheSpans = StorageOptions.DefaultTraceCacheSpans) =>
        StoreRepositories.Over(OpenAnotherDatabase(), traceCacheSpans);

    protected Task DisposeStoreAsync(StoreRepositories store)
    {
        ArgumentNullException.ThrowIfNull(store);
        return DisposeDatabaseAsync(store.Database);
    }

    [Fact]
    public async Task AddSpans_ThenGetTrace_RoundTripsEveryModelField()
    {
        var resource = new Resource("orders-db-client", [new Attribute("service.name", "orders-db-client"), new Attribute("host.name", "node-7"), new Attribute("pid", 4242L)]);
        var scope = new InstrumentationScope("Npgsql", "10.0.0", [new Attribute("scope.flag", true)]);
        var original = TestSpans.Everything(resource, scope);
        var sibling = TestSpans.Make(0xabc, 0x3, parent: 0x1, resource: resource) is var s
            ? new Span { TraceId = s.TraceId, SpanId = s.SpanId, ParentSpanId = s.ParentSpanId, Name = "sibling", StartUnixNano = s.StartUnixNano + 1, EndUnixNano = s.EndUnixNano, Resource = resource, Scope = scope }
            : null!;

        await Store.Traces.AddSpansAsync([original, sibling]);
        var trace = await Store.Traces.GetTraceAsync(original.TraceId);

        Assert.NotNull(trace);
        Assert.Equal(original.TraceId, trace.TraceId);
        var read = Assert.Single(trace.Spans, x => x.SpanId == original.SpanId);
        Assert.Equal(original.TraceId, read.TraceId);
        Assert.Equal(original.ParentSpanId, read.ParentSpanId);
        Assert.True(read.ParentIsFollowsFrom);
        Assert.Equal(original.Name, read.Name);
        Assert.Equal(original.Kind, read.Kind);
        Assert.Equal(original.StartUnixNano, read.StartUnixNano);
        Assert.Equal(original.EndUnixNano, read.EndUnixNano);
        Assert.Equal(original.Status, read.Status);
        Assert.Equal(original.StatusMessage, read.StatusMessage);
        Assert.Equal(original.TraceState, read.TraceState);
        Assert.Equal("orders-db-client", read.ServiceName);
        AssertAttributes(resource.Attributes, read.Resource.Attributes);
        Assert.Equal(scope.Name, read.Scope.Name);
        Assert.Equal(scope.Version, read.Scope.Version);
        AssertAttributes(scope.Attributes!, read.Scope.Attributes!);
        AssertAttributes(original.Attributes, read.Attributes);
        Assert.Equal(original.Events.Count, read.Events.Count);
        for (var i = 0; i < original.Events.Count; i++)
        {
            Assert.Equal(original.Events[i].Name, read.Events[i].Name);
            Assert.Equal(original.Events[i].TimeUnixNano, read.Events[i].TimeUnixNano);
            AssertAttributes(original.Events[i].Attributes, read.Events[i].Attributes);
        }

        Assert.Equal(original.Links.Count, read.Links.Count);
        for (var i = 0; i < original.Links.Count; i++)
        {
            Assert.Equal(original.Links[i].TraceId, read.Links[i].TraceId);
            Assert.Equal(original.Links[i].SpanId, read.Links[i].SpanId);
            Assert.Equal(original.Links[i].Kind, read.Links[i].Kind);
            AssertAttributes(original.Links[i].Attributes, read.Links[i].Attributes);
        }

        var readSibling = Assert.Single(trace.Spans, x => x.SpanId == sibling.SpanId);
        Assert.Same(read.Resource, readSibling.Resource);
        Assert.Same(read.Scope, readSibling.Scope);
    }

    [Fact]
    public async Task AddSpans_ThenGetTrace_EvalTraces_ReadBackEverySpanField()
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var compared = 0;
        foreach (var file in Directory.GetFiles(Path.Combine(Llm.PromptOverEvalSetTests.RepoRoot(), "eval", "cases"), "trace.*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            foreach (var original in (await TraceReader.ReadFileAsync(file, cancellationToken: TestContext.Current.CancellationToken)).Traces)
            {
                // The store keeps one span per (trace, span ID): a trace that reuses an ID, or one already stored by another case, is not a round trip.
                if (!seen.Add(original.TraceId) || original.Spans.DistinctBy(x => x.SpanId).Count() != original.Spans.Count)
                {
                    continue;
                }

                await Store.Traces.AddSpansAsync(original.Spans.ToList(), TestContext.Current.CancellationToken);
                var read = await Store.Traces.GetTraceAsync(original.TraceId, TestContext.Current.CancellationToken);

                Assert.NotNull(read);
                Assert.Equal(original.Spans.Select(Describe).Order(StringComparer.Ordinal), read.Spans.Select(Describe).Order(StringComparer.Ordinal));
                compared++;
            }
        }

        Assert.True(compared >= 40, $"only {compared} eval traces compared");

        static string Describe(Span s) => string.Create(CultureInfo.InvariantCulture,
            $"{s.TraceId} {s.SpanId} {s.ParentSpanId} {s.ParentIsFollowsFrom} {s.ServiceName} {s.Name} {s.Kind} {s.StartUnixNano} {s.EndUnixNano} {s.Status} {s.StatusMessage} {s.TraceState} [{string.Join(";", s.Attributes)}] [{string.Join(";", s.Resource.Attributes)}] {s.Scope.Name} {s.Scope.Version} [{string.Join(";", s.Events.Select(e => $"{e.Name} {e.TimeUnixNano} {string.Join(",", e.Attributes)}"))}] [{string.Join(";", s.Links.Select(l => $"{l.TraceId} {l.SpanId} {l.Kind} {string.Join(",", l.Attributes)}"))}]");
    }

    [Fact]
    public async Task GetTrace_UnknownTraceId_ReturnsNull()
    {
        await Store.Traces.AddSpansAsync([TestSpans.Make(1, 1)]);

        Assert.Null(await Store.Traces.GetTraceAsync(TestSpans.TraceId(2)));
    }

    [Fact]
    public async Task GetTrace_SixtyFourBitOrUpperCaseId_FindsTheStoredTrace()
    {
        await Store.Traces.AddSpansAsync([TestSpans.Make(0xBEEF, 1)]);

        Assert.NotNull(await Store.Traces.GetTraceAsync("000000000000BEEF"));
        Assert.NotNull(await Store.Traces.GetTraceAsync(TestSpans.TraceId(0xBEEF).ToUpperInvariant()));
    }

    [Fact]
    public async Task AddSpans_SameSpanTwice_ReplacesItWithoutDuplicating()
    {
        await Store.Traces.AddSpansAsync([TestSpans.Make(1, 1, name: "first"), TestSpans.Make(1, 2, parent: 1)]);
        await Store.Traces.AddSpansAsync([TestSpans.Make(1, 1, name: "second", error: true)]);

        var trace = await Store.Traces.GetTraceAsync(TestSpans.TraceId(1));
        Assert.NotNull(trace);
        Assert.Equal(2, trace.Spans.Count);
        var root = Assert.Single(trace.Spans, s => s.SpanId == TestSpans.SpanId(1));
        Assert.Equal("second", root.Name);
        var summary = Assert.Single(await Store.Traces.SearchAsync(new TraceQuery()));
        Assert.Equal(2, summary.SpanCount);
        Assert.Equal(1, summary.ErrorCount);
        Assert.Equal("second", summary.RootOperation);
    }

    [Fact]
    public async Task AddSpans_BatchWithOneInvalidRow_LeavesNothingStored()
    {
        var bad = new Span { TraceId = TestSpans.TraceId(7), SpanId = "not-a-span-id", Name = "bad" };
        var batch = new[] { TestSpans.Make(7, 1), TestSpans.Make(7, 2, parent: 1), bad, TestSpans.Make(8, 1) };

        await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() => Store.Traces.AddSpansAsync(batch));

        Assert.Null(await Store.Traces.GetTraceAsync(TestSpans.TraceId(7)));
        Assert.Null(await Store.Traces.GetTraceAsync(TestSpans.TraceId(8)));
        Assert.Empty(await Store.Traces.SearchAsync(new TraceQuery()));
    }

    [Fact]
    public async Task Search_ReturnsSummariesNewestFirstWithRootDurationCountsAndServices()
    {
        await Store.Traces.AddSpansAsync(
        [
            TestSpans.Make(1, 1, service: "frontend", name: "GET /", start: TimeSpan.FromMinutes(1), durationMs: 120),
            TestSpans.Make(1, 2, parent: 1, service: "checkout", name: "PlaceOrder", start: TimeSpan.FromMinutes(1) + TimeSpan.FromMilliseconds(5), durationMs: 100, error: true),
            TestSpans.Make(1, 3, parent: 2, service: "payment", name: "Charge", start: TimeSpan.FromMinutes(1) + TimeSpan.FromMilliseconds(10), durationMs: 50, error: true),
            TestSpans.Make(2, 1, service: "frontend", name: "GET /", start: TimeSpan.FromMinutes(2), durationMs: 30),
        ]);

        var results = await Store.Traces.SearchAsync(new TraceQuery());

        Assert.Equal([TestSpans.TraceId(2), TestSpans.TraceId(1)], results.Select(r => r.TraceId));
        var first = results[1];
        Assert.Equal("frontend", first.RootService);
        Assert.Equal("GET /", first.RootOperation);
        Assert.Equal(TestSpans.BaseTime + TimeSpan.FromMinutes(1), first.Start);
        Assert.Equal(120, first.DurationMs, 3);
        Assert.Equal(3, first.SpanCount);
        Assert.Equal(2, first.ErrorCount);
        Assert.Equal(["checkout", "frontend", "payment"], first.Services.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Search_EachCriterion_FiltersTraces()
    {
        await Store.Traces.AddSpansAsync(
        [
            TestSpans.Make(1, 1, service: "frontend", name: "GET /", start: TimeSpan.FromMinutes(1)),
            TestSpans.Make(1, 2, parent: 1, service: "payment", name: "Charge", start: TimeSpan.FromMinutes(1), error: true),
            TestSpans.Make(2, 1, service: "frontend", name: "GET /", start: TimeSpan.FromMinutes(2)),
            TestSpans.Make(3, 1, service: "batch", name: "nightly", start: TimeSpan.FromMinutes(3)),
        ]);

        async Task<string[]> Ids(TraceQuery q) => (await Store.Traces.SearchAsync(q)).Select(r => r.TraceId).Order(StringComparer.Ordinal).ToArray();

        Assert.Equal([TestSpans.TraceId(1)], await Ids(new TraceQuery { Service = "payment" }));
        Assert.Equal([TestSpans.TraceId(1), TestSpans.TraceId(2)], await Ids(new TraceQuery { Operation = "GET /" }));
        Assert.Empty(await Ids(new TraceQuery { Service = "payment", Operation = "GET /" }));
        Assert.Equal([TestSpans.TraceId(1)], await Ids(new TraceQuery { HasError = true }));
        Assert.Equal([TestSpans.TraceId(2), TestSpans.TraceId(3)], await Ids(new TraceQuery { HasError = false }));
        Assert.Equal([TestSpans.TraceId(2), TestSpans.TraceId(3)], await Ids(new TraceQuery { From = TestSpans.BaseTime + TimeSpan.FromSeconds(90) }));
        Assert.Equal([TestSpans.TraceId(1), TestSpans.TraceId(2)], await Ids(new TraceQuery { To = TestSpans.BaseTime + TimeSpan.FromMinutes(2) }));
        Assert.Equal([TestSpans.TraceId(2)], await Ids(new TraceQuery { From = TestSpans.BaseTime + TimeSpan.FromSeconds(90), To = TestSpans.BaseTime + TimeSpan.FromSeconds(150) }));
        Assert.Equal([TestSpans.TraceId(3)], (await Store.Traces.SearchAsync(new TraceQuery { Limit = 1 })).Select(r => r.TraceId));
    }

    [Fact]
    public async Task AddSpans_ConcurrentWriters_StoreEverySpanOnce()
    {
        const int writers = 6, batches = 10, spansPerBatch = 10;

        await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            for (var b = 0; b < batches; b++)
            {
                var trace = (w * 100) + b + 1;
                // Every writer also rewrites span 1 of a shared trace, so the writers genuinely contend for the same rows.
                var spans = Enumerable.Range(1, spansPerBatch).Select(i => TestSpans.Make(trace, i, parent: i == 1 ? null : 1))
                    .Append(TestSpans.Make(999_999, 1, name: $"writer {w}"))
                    .ToList();
                await Store.Traces.AddSpansAsync(spans);
            }
        })));

        var all = await Store.Traces.SearchAsync(new TraceQuery { Limit = 1000 });
        Assert.Equal((writers * batches) + 1, all.Count);
        Assert.All(all.Where(t => t.TraceId != TestSpans.TraceId(999_999)), t => Assert.Equal(spansPerBatch, t.SpanCount));
        var shared = await Store.Traces.GetTraceAsync(TestSpans.TraceId(999_999));
        Assert.Single(shared!.Spans);
    }

    [Fact]
    public async Task Initialize_SecondStoreOverSameDatabase_SeesExistingTracesAndMigratesNothingTwice()
    {
        await Store.Traces.AddSpansAsync([TestSpans.Make(5, 1)]);

        var other = OpenAnotherStore();
        try
        {
            await other.Database.InitializeAsync();
            Assert.NotNull(await other.Traces.GetTraceAsync(TestSpans.TraceId(5)));
            Assert.True(await other.Database.PingAsync());
        }
        finally
        {
            await DisposeStoreAsync(other);
        }
    }

    private static void AssertAttributes(IReadOnlyList<Attribute> expected, IReadOnlyList<Attribute> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].Key, actual[i].Key);
            AssertValue(expected[i].Value, actual[i].Value);
        }
    }

    private static void AssertValue(object? expected, object? actual)
    {
        switch (expected)
        {
            case Attribute[] list:
                AssertAttributes(list, Assert.IsType<Attribute[]>(actual));
                break;
            case object?[] array:
                var readArray = Assert.IsType<object?[]>(actual);
                Assert.Equal(array.Length, readArray.Length);
                for (var i = 0; i < array.Length; i++)
                {
                    AssertValue(array[i], readArray[i]);
                }

                break;
            case double d when double.IsNaN(d):
                Assert.True(actual is double r && double.IsNaN(r));
                break;
            default:
                Assert.Equal(expected, actual);
                if (expected is not null)
                {
                    Assert.IsType(expected.GetType(), actual);
                }

                break;
        }
    }

    [Fact]
    public async Task SaveAnalysis_ThenGet_RoundTripsStatusAndResult()
    {
        IAnalysisStore analyses = Store.Analyses;
        var result = new AnalysisResult
        {
            TraceId = TestSpans.TraceId(1),
            Summary = "payment failed",
            Hypotheses = [new Hypothesis { Rank = 1, Title = "Card declined", Category = Categories.Error, Confidence = 0.85, Service = "payment", Operation = "Charge", SpanIds = ["d4e5f60718293a4b"], Evidence = ["e"], Remediation = "r" }],
            Usage = new TokenUsage(10, 2),
        };
        await analyses.SaveAsync(new AnalysisRecord { Id = "a1", TraceId = result.TraceId, Status = AnalysisStatus.Queued, CreatedAt = DateTimeOffset.UtcNow, Origin = "alertmanager" });
        await analyses.SaveAsync(new AnalysisRecord { Id = "a1", TraceId = result.TraceId, Status = AnalysisStatus.Done, CreatedAt = DateTimeOffset.UtcNow, Origin = "alertmanager", CompletedAt = DateTimeOffset.UtcNow, Result = result });

        var stored = await analyses.GetAsync("a1");

        Assert.Equal(AnalysisStatus.Done, stored!.Status);
        Assert.Equal("alertmanager", stored.Origin);
        Assert.Equal("payment", stored.Result!.Hypotheses[0].Service);
        Assert.Equal(new TokenUsage(10, 2), stored.Result.Usage);
        Assert.Null(await analyses.GetAsync("missing"));
    }

    [Fact]
    public async Task TryAddAnalysis_SameIdTwice_InsertsOnceAndKeepsTheFirst()
    {
        IAnalysisStore analyses = Store.Analyses;
        var record = new AnalysisRecord { Id = "q1", TraceId = TestSpans.TraceId(1), Status = AnalysisStatus.Queued, CreatedAt = DateTimeOffset.UtcNow, Origin = "grafana" };

        Assert.True(await analyses.TryAddAsync(record));
        await analyses.SaveAsync(record with { Status = AnalysisStatus.Done, CompletedAt = DateTimeOffset.UtcNow });
        Assert.False(await analyses.TryAddAsync(record));

        Assert.Equal(AnalysisStatus.Done, (await analyses.GetAsync("q1"))!.Status);
    }

    [Fact]
    public async Task AppendTurns_ConcurrentRequestsToOneConversation_KeepEveryTurnWithEachBatchTogether()
    {
        var at = DateTimeOffset.UtcNow;
        var writers = Enumerable.Range(0, 8).Select(_ => OpenAnotherStore()).ToList();
        try
        {
            await Task.WhenAll(writers.Select((writer, n) => Task.Run(() => writer.Conversations.AppendAsync("busy",
                [new ChatTurn(ChatTurn.User, $"question {n}", at), new ChatTurn(ChatTurn.Assistant, $"answer {n}", at)]))));
        }
        finally
        {
            foreach (var writer in writers)
            {
                await DisposeStoreAsync(writer);
            }
        }

        var turns = (await Store.Conversations.GetAsync("busy"))!.Turns;
        Assert.Equal(16, turns.Count);
        for (var i = 0; i < 16; i += 2)
        {
            Assert.Equal(turns[i].Content.Replace("question", "answer", StringComparison.Ordinal), turns[i + 1].Content);
        }
    }

    [Fact]
    public async Task AppendTurns_ThenGet_KeepsOrderAndTheCurrentTrace()
    {
        IConversationStore conversations = Store.Conversations;
        var at = DateTimeOffset.UtcNow;
        await conversations.AppendAsync("c1", [new ChatTurn(ChatTurn.User, "look at it", at, TraceId: TestSpans.TraceId(3)), new ChatTurn(ChatTurn.Assistant, "done", at, "a9", TestSpans.TraceId(3))]);
        await conversations.AppendAsync("c1", [new ChatTurn(ChatTurn.User, "and now?", at)]);

        var conversation = await conversations.GetAsync("c1");

        Assert.Equal(["look at it", "done", "and now?"], conversation!.Turns.Select(t => t.Content));
        Assert.Equal(TestSpans.TraceId(3), conversation.CurrentTraceId);
        Assert.Null(await conversations.GetAsync("c2"));
    }
}
