using OpsAssistant.Core.Analysis;
using OpsAssistant.Core.Model;
using OpsAssistant.Core.Results;
using static OpsAssistant.Core.Tests.Analysis.TraceBuilder;

namespace OpsAssistant.Core.Tests.Analysis;

/// <summary>
/// The analyser's principles on traces shaped like real instrumentation rather than like the eval set: late end times,
/// retries against a stuck callee, request/reply over a queue, healthy fast requests, missing span kinds.
/// </summary>
public sealed class PrincipleTests
{
    [Fact]
    public void Analyze_SequentialLoopWhoseCallsOverlapBySubMilliseconds_IsNPlusOne()
    {
        var t = new TraceBuilder();
        var root = t.Add("orders", "GET /orders", 0, 260, kind: SpanKind.Server);
        for (var i = 0; i < 30; i++)
        {
            // Each call's recorded end lies 0.3 ms after the next call's start: late end times, not concurrency.
            t.Add("orders", "SELECT order_items", 5 + i * 7.7, 8, root, SpanKind.Client, attributes: [A("db.system", "postgresql")]);
        }

        var analysis = TraceAnalyzer.Analyze(t.Build());
        var top = HeuristicRanker.Rank(analysis).Hypotheses[0];

        Assert.Equal((Categories.NPlusOne, "SELECT order_items"), (top.Category, top.Operation));
        var group = Assert.Single(analysis.Findings.RepeatedCalls);
        Assert.True(group.Sequential);
        Assert.InRange(group.Concurrency, 0.9, 1.1);
    }

    [Fact]
    public void Analyze_PoolOfTwoWorkersOneStuckOnALongCall_IsAConcurrentFanOutNotNPlusOne()
    {
        var t = new TraceBuilder();
        var root = t.Add("dispatch", "GET /dispatch", 0, 210, kind: SpanKind.Server);
        // Worker one holds a call for the whole window while worker two works through the rest one by one: adjacent calls in
        // start order barely overlap, yet two calls ran at every moment.
        t.Add("dispatch", "GET /route", 5, 200, root, SpanKind.Client, attributes: [A("server.address", "route"), A("server.port", 8083L)]);
        for (var i = 0; i < 10; i++)
        {
            t.Add("dispatch", "GET /route", 5 + i * 20, 20, root, SpanKind.Client, attributes: [A("server.address", "route"), A("server.port", 8083L)]);
        }

        var analysis = TraceAnalyzer.Analyze(t.Build());
        var result = HeuristicRanker.Rank(analysis);

        var group = Assert.Single(analysis.Findings.RepeatedCalls);
        Assert.False(group.Sequential);
        Assert.InRange(group.Concurrency, 1.8, 2.2);
        Assert.DoesNotContain(result.Hypotheses, h => h.Category == Categories.NPlusOne);
    }

    [Fact]
    public void Analyze_FanOutWithOneStuckReplica_IsNotNPlusOneAndBlamesTheStuckCall()
    {
        var t = new TraceBuilder();
        var root = t.Add("ranking", "GET /rank", 0, 1960, kind: SpanKind.Server);
        string? stuck = null;
        for (var i = 0; i < 9; i++)
        {
            // Nine calls leave together; one replica stalls for almost two seconds, the others answer in milliseconds.
            var call = t.Add("ranking", "GET /score", 1 + i * 0.1, i == 3 ? 1950 : 5 + i % 4, root, SpanKind.Client, attributes: [A("server.address", "scores")]);
            var server = t.Add("scores", "GET /score", 1.1 + i * 0.1, i == 3 ? 1949 : 4 + i % 4, call, SpanKind.Server);
            stuck = i == 3 ? server : stuck;
        }

        var analysis = TraceAnalyzer.Analyze(t.Build());
        var top = HeuristicRanker.Rank(analysis).Hypotheses[0];

        Assert.False(Assert.Single(analysis.Findings.RepeatedCalls).Sequential);
        Assert.Equal(("scores", "GET /score"), (top.Service, top.Operation));
        Assert.Contains(stuck!, top.SpanIds);
    }

    [Fact]
    public void Analyze_RetryStormWhoseCalleeWaitsOnALock_RanksTheLockFirstAndTheStormSecond()
    {
        var t = new TraceBuilder();
        var root = t.Add("checkout", "PlaceOrder", 0, 3400, kind: SpanKind.Server, error: true);
        var at = 10.0;
        var attempts = new List<string>();
        var locks = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            var attempt = t.Add("checkout", "POST /reserve", at, 500, root, SpanKind.Client, error: true, message: "request timed out after 500 ms",
                attributes: [A("http.request.method", "POST"), A("server.address", "inventory")]);
            var server = t.Add("inventory", "POST /reserve", at + 2, 520, attempt, SpanKind.Server);
            locks.Add(t.Add("inventory", "acquire stock_row lock", at + 4, 510, server));
            attempts.Add(attempt);
            at += 500 + 100 * Math.Pow(2, i);
        }

        var result = Rank(t);

        var first = result.Hypotheses[0];
        var second = result.Hypotheses[1];
        Assert.Equal((Categories.Contention, "inventory", "acquire stock_row lock"), (first.Category, first.Service, first.Operation));
        Assert.Equal((Categories.Retry, "POST /reserve"), (second.Category, second.Operation));
        Assert.Contains(locks[0], first.SpanIds);
        Assert.Contains(first.Evidence, e => attempts.Take(3).All(a => e.Contains(a, StringComparison.Ordinal)));
        Assert.Contains(locks[0], second.SpanIds);
        Assert.Contains("amplif", second.Title, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Analyze_RetryStormAgainstAnUnreachableDependency_StaysFirst()
    {
        var t = new TraceBuilder();
        var root = t.Add("checkout", "PlaceOrder", 0, 3400, kind: SpanKind.Server, error: true);
        var at = 10.0;
        for (var i = 0; i < 4; i++)
        {
            var attempt = t.Add("checkout", "POST /reserve", at, 500, root, SpanKind.Client, error: true, message: "upstream failed");
            var server = t.Add("inventory", "POST /reserve", at + 2, 495, attempt, SpanKind.Server, error: true);
            t.Add("inventory", "connect stock-db", at + 3, 490, server, SpanKind.Client, error: true, message: "connection refused",
                attributes: [A("db.system", "postgresql")]);
            at += 500 + 100 * Math.Pow(2, i);
        }

        var top = Rank(t).Hypotheses[0];

        Assert.Equal((Categories.Retry, "checkout", "POST /reserve"), (top.Category, top.Service, top.Operation));
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public void Analyze_ReplyAwaitedOverAQueue_BlamesTheQueueAndNamesTheConsumerNotTheWaitingSpan(bool linked, bool noKinds)
    {
        var t = new TraceBuilder();
        var root = t.Add("api", "POST /orders", 0, 5200, kind: SpanKind.Server);
        t.Add("api", "validate order", 2, 6, root);
        var wait = t.Add("api", "await reply", 10, 5180, root);
        var publish = t.Add("api", "orders publish", 12, 2, wait, noKinds ? SpanKind.Internal : SpanKind.Producer,
            attributes: [A("messaging.system", "rabbitmq"), A("messaging.destination.name", "orders"), A("messaging.operation.type", "publish")]);
        var process = t.Add("fulfilment", "orders process", 4900, 200, linked ? null : publish, noKinds ? SpanKind.Internal : SpanKind.Consumer,
            attributes: [A("messaging.system", "rabbitmq"), A("messaging.destination.name", "orders"), A("messaging.operation.type", "process")],
            links: linked ? [new SpanLink(TraceBuilder.TraceId, publish, [])] : null);
        t.Add("fulfilment", "INSERT shipments", 4950, 20, process, SpanKind.Client, attributes: [A("db.system", "postgresql")]);

        var result = Rank(t);

        var top = result.Hypotheses[0];
        Assert.Equal(("fulfilment", "orders process"), (top.Service, top.Operation));
        Assert.Contains("orders", top.Title, StringComparison.Ordinal);
        Assert.Contains(top.Evidence, e => e.Contains("fulfilment", StringComparison.Ordinal) && e.Contains(publish, StringComparison.Ordinal));
        Assert.Contains(wait, top.SpanIds);
        Assert.DoesNotContain(result.Hypotheses, h => h.Operation == "await reply");
    }

    [Fact]
    public void Analyze_ReplyAwaitedWhileTheConsumerWorks_BlamesTheConsumersWorkNotTheWaitingSpan()
    {
        var t = new TraceBuilder();
        var root = t.Add("api", "POST /reports", 0, 3100, kind: SpanKind.Server);
        var wait = t.Add("api", "await reply", 5, 3090, root);
        var publish = t.Add("api", "reports publish", 6, 2, wait, SpanKind.Producer, attributes: [A("messaging.system", "kafka"), A("messaging.destination.name", "reports")]);
        var process = t.Add("renderer", "reports process", 12, 3070, publish, SpanKind.Consumer, attributes: [A("messaging.system", "kafka"), A("messaging.destination.name", "reports")]);
        t.Add("renderer", "load rows", 14, 60, process, SpanKind.Client, attributes: [A("db.system", "postgresql")]);
        t.Add("renderer", "render pdf", 80, 2990, process);

        var result = Rank(t);

        Assert.Equal(("renderer", "render pdf"), (result.Hypotheses[0].Service, result.Hypotheses[0].Operation));
        Assert.DoesNotContain(result.Hypotheses, h => h.Operation == "await reply");
    }

    [Fact]
    public void Analyze_FastHealthyTraceWithTheUsualSpread_SaysNothingStandsOutAndWhatWasChecked()
    {
        var t = ProductPage(40, 25);

        var result = Rank(t);

        var only = Assert.Single(result.Hypotheses);
        Assert.Equal(Categories.Unknown, only.Category);
        Assert.True(only.Confidence < 0.5);
        Assert.Contains(only.Evidence, e => e.Contains("errors", StringComparison.Ordinal) && e.Contains("retries", StringComparison.Ordinal)
            && e.Contains("repeated calls", StringComparison.Ordinal) && e.Contains("cold start", StringComparison.Ordinal));
        Assert.Contains(only.Evidence, e => e.Contains("Critical path", StringComparison.Ordinal));
    }

    [Fact]
    public void Analyze_SameSlowQueryInALongerRequest_IsStillALatencyFinding()
    {
        var t = ProductPage(900, 860);

        var top = Rank(t).Hypotheses[0];

        Assert.Equal(("catalog", "SELECT products"), (top.Service, top.Operation));
        Assert.True(top.Confidence >= 0.5);
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void Analyze_OldOrNewAttributeNamesWithOrWithoutSpanKinds_GiveTheSameAnswer(bool oldNames, bool noKinds)
    {
        var t = new TraceBuilder();
        var root = t.Add("payment", "POST /charge", 0, 3000, kind: noKinds ? SpanKind.Internal : SpanKind.Server,
            attributes: [A(oldNames ? "http.target" : "url.path", "/charge"), A(oldNames ? "http.status_code" : "http.response.status_code", 200L)]);
        t.Add("payment", "SELECT cards", 5, 20, root, noKinds ? SpanKind.Internal : SpanKind.Client,
            attributes: [A(oldNames ? "db.statement" : "db.query.text", "SELECT * FROM cards WHERE id = $1")]);
        t.Add("payment", "POST", 30, 2900, root, noKinds ? SpanKind.Internal : SpanKind.Client, attributes:
        [
            A(oldNames ? "http.url" : "url.full", "https://card-processor.example/v1/charges"),
            A(oldNames ? "net.peer.name" : "server.address", "card-processor.example"),
            A(oldNames ? "http.status_code" : "http.response.status_code", 200L),
        ]);

        var top = Rank(t).Hypotheses[0];

        Assert.Equal((Categories.Dependency, "payment", "POST"), (top.Category, top.Service, top.Operation));
        Assert.Contains("card-processor.example", top.Title, StringComparison.Ordinal);
    }

    [Fact]
    public void Analyze_NPlusOneOverUrlsThatDifferOnlyByItemId_IsOneGroup()
    {
        var t = new TraceBuilder();
        var root = t.Add("shop", "GET /cart", 0, 420, kind: SpanKind.Server);
        for (var i = 0; i < 20; i++)
        {
            t.Add("shop", "GET", 5 + i * 20, 19, root, SpanKind.Client, attributes: [A("http.url", $"http://catalog:8080/products/{1000 + i}")]);
        }

        var top = Rank(t).Hypotheses[0];

        Assert.Equal((Categories.NPlusOne, "GET"), (top.Category, top.Operation));
    }

    [Fact]
    public void Analyze_OneFailedCallOfAConcurrentFanOut_IsNotRetriedAwayByItsSiblings()
    {
        var t = new TraceBuilder();
        var root = t.Add("frontend", "GET /api/recommendations", 0, 14, kind: SpanKind.Server, error: true, message: "failed to get product");
        var failed = t.Add("frontend", "GetProduct", 1, 1.1, root, SpanKind.Client, error: true);
        t.Add("catalog", "GetProduct", 1.1, 0.9, failed, SpanKind.Server, error: true, message: "Product Catalog Fail Feature Flag Enabled");
        for (var i = 0; i < 5; i++)
        {
            var call = t.Add("frontend", "GetProduct", 1.15 + i * 0.15, 3, root, SpanKind.Client);
            t.Add("catalog", "GetProduct", 1.2 + i * 0.15, 2.8, call, SpanKind.Server);
        }

        var top = Rank(t).Hypotheses[0];

        Assert.Equal((Categories.Error, "catalog", "GetProduct"), (top.Category, top.Service, top.Operation));
    }

    [Fact]
    public void Analyze_HandledNotFoundOnAFastTrace_IsNotACause()
    {
        var t = new TraceBuilder();
        var root = t.Add("profiles", "GET /profile", 0, 7, kind: SpanKind.Server, attributes: [A("http.response.status_code", 200L)]);
        t.Add("profiles", "GET", 0.5, 1.4, root, SpanKind.Client, error: true, message: "Not Found", attributes: [A("http.response.status_code", 404L), A("url.full", "http://cache/v1/entries/42")]);
        t.Add("profiles", "SELECT profile", 2.2, 1.3, root, SpanKind.Client, attributes: [A("db.system", "mysql")]);
        t.Add("profiles", "PUT", 3.7, 1.5, root, SpanKind.Client, attributes: [A("http.response.status_code", 204L), A("url.full", "http://cache/v1/entries/42")]);

        var only = Assert.Single(Rank(t).Hypotheses);

        Assert.Equal(Categories.Unknown, only.Category);
    }

    [Fact]
    public void Analyze_CircuitBreakerOpenAfterSlowCalls_BlamesTheSlowCallsNotTheBreaker()
    {
        var t = new TraceBuilder();
        var root = t.Add("users", "GET /users/{id}", 0, 3200, kind: SpanKind.Server);
        t.Add("users", "GET", 2, 1770, root, SpanKind.Client, attributes: [A("peer.service", "carts"), A("url.full", "https://carts.example/v1/carts")]);
        t.Add("users", "GET", 1780, 1380, root, SpanKind.Client, attributes: [A("peer.service", "carts"), A("url.full", "https://carts.example/v1/carts")]);
        t.Add("users", "circuit-breaker carts", 3165, 0.05, root, error: true, message: "The circuit is now open and is not allowing calls.");

        var top = Rank(t).Hypotheses[0];

        Assert.Equal((Categories.Dependency, "users", "GET"), (top.Category, top.Service, top.Operation));
    }

    [Fact]
    public void Analyze_LoopOverStatementsNamedWithTheirLiterals_IsOneNPlusOne()
    {
        var t = new TraceBuilder();
        var root = t.Add("orders", "GET /orders", 0, 330, kind: SpanKind.Server);
        for (var i = 0; i < 25; i++)
        {
            t.Add("orders", $"SELECT * FROM items WHERE order_id = {4100 + i}", 5 + i * 12.8, 12, root, SpanKind.Client, attributes: [A("db.system", "mysql")]);
        }

        var top = Rank(t).Hypotheses[0];

        Assert.Equal(Categories.NPlusOne, top.Category);
        Assert.Equal("SELECT * FROM items WHERE order_id = 4100", top.Operation);
    }

    [Fact]
    public void Analyze_LoopOfPerItemWrappersEachMakingOneQuery_NamesTheRepeatedQuery()
    {
        var t = new TraceBuilder();
        var root = t.Add("billing", "POST /invoices/run", 0, 640, kind: SpanKind.Server);
        for (var i = 0; i < 20; i++)
        {
            var item = t.Add("billing", "process invoice", 5 + i * 31, 30, root);
            t.Add("billing", "SELECT customer", 6 + i * 31, 26, item, SpanKind.Client, attributes: [A("db.system", "postgresql")]);
        }

        var top = Rank(t).Hypotheses[0];

        Assert.Equal((Categories.NPlusOne, "billing", "SELECT customer"), (top.Category, top.Service, top.Operation));
    }

    /// <summary>A product page: frontend → catalog → one query of <paramref name="queryMs"/>, then a short currency call.</summary>
    private static TraceBuilder ProductPage(double totalMs, double queryMs)
    {
        var t = new TraceBuilder();
        var root = t.Add("frontend", "GET /product/{id}", 0, totalMs, kind: SpanKind.Server);
        var call = t.Add("frontend", "GetProduct", 2, queryMs + 5, root, SpanKind.Client, attributes: [A("rpc.system", "grpc")]);
        var server = t.Add("catalog", "GetProduct", 3, queryMs + 3, call, SpanKind.Server);
        t.Add("catalog", "SELECT products", 4, queryMs, server, SpanKind.Client, attributes: [A("db.system", "postgresql")]);
        t.Add("frontend", "GetCurrencies", queryMs + 8, 5, root, SpanKind.Client);
        return t;
    }

    private static AnalysisResult Rank(TraceBuilder t) => HeuristicRanker.Rank(TraceAnalyzer.Analyze(t.Build()));
}
