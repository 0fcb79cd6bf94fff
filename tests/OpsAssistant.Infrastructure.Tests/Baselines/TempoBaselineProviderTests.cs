using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpsAssistant.Core.Baselines;
using OpsAssistant.Core.Model;

namespace OpsAssistant.Infrastructure.Tests.Baselines;

/// <summary>The TraceQL metrics path against a real Kestrel on loopback answering in Tempo's JSON shape.</summary>
public sealed class TempoBaselineProviderTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task GetBaselines_TraceQlMetrics_QuantilesInMsAndErrorRate()
    {
        await using var tempo = await TempoStub.StartAsync();
        var provider = Provider(tempo.Url);

        var set = await provider.GetBaselinesAsync([new("checkout", "GET /cart", SpanKind.Server), new("checkout", "db.query (orders)", SpanKind.Client)], Now);

        Assert.Equal("tempo", set.Source);
        var cart = set.Find("checkout", "GET /cart", SpanKind.Server);
        Assert.NotNull(cart);
        Assert.Equal((4, 20, 31), (cart.P50Ms, cart.P90Ms, cart.P99Ms));
        Assert.Equal(18432, cart.Count);
        Assert.Equal(Math.Round(922.0 / 18432, 4), cart.ErrorRate);
        Assert.Equal((Now - TimeSpan.FromHours(6), Now), (cart.From, cart.To));
        var db = set.Find("checkout", "db.query (orders)", SpanKind.Client);
        Assert.NotNull(db);
        Assert.Equal((0, 1500.0), (db.ErrorRate, db.P99Ms));

        // Three queries, each selecting by escaped, anchored names over the window, with the tenant header.
        Assert.Equal(3, tempo.Requests.Count);
        Assert.All(tempo.Requests, r =>
        {
            Assert.Equal("tenant-a", r.OrgId);
            Assert.Equal(Now.AddHours(-6).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture), r.Start);
            Assert.Equal(Now.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture), r.End);
            Assert.Contains("""name =~ "(?i)^(?:GET /cart|db\\.query \\(orders\\))$""", r.Query, StringComparison.Ordinal);
            Assert.EndsWith(" by (resource.service.name, name, kind)", r.Query, StringComparison.Ordinal);
        });
        Assert.Contains(tempo.Requests, r => r.Query.Contains("| quantile_over_time(duration, .5, .9, .99)", StringComparison.Ordinal));
        Assert.Contains(tempo.Requests, r => r.Query.Contains("&& status = error} | count_over_time()", StringComparison.Ordinal));
    }

    [Fact]
    public async Task GetBaselines_AsOfATracesStart_StartAndEndEndAtTheStartOfItsMinute()
    {
        await using var tempo = await TempoStub.StartAsync();
        var provider = Provider(tempo.Url);
        var traceStart = Now - TimeSpan.FromMinutes(42) + TimeSpan.FromSeconds(17);

        var cart = (await provider.GetBaselinesAsync([new("checkout", "GET /cart", SpanKind.Server)], traceStart)).Find("checkout", "GET /cart", SpanKind.Server);

        var end = Now - TimeSpan.FromMinutes(42);
        Assert.NotNull(cart);
        Assert.Equal((end - TimeSpan.FromHours(6), end), (cart.From, cart.To));
        Assert.All(tempo.Requests, r =>
        {
            Assert.Equal(end.AddHours(-6).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture), r.Start);
            Assert.Equal(end.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture), r.End);
        });
    }

    [Fact]
    public async Task GetBaselines_TempoAnswers400_NoBaselinesAndItsMessageLogged()
    {
        await using var tempo = await TempoStub.StartAsync();
        tempo.Status = StatusCodes.Status400BadRequest;
        var log = new CapturingLogger();
        var provider = Provider(tempo.Url, log);

        var set = await provider.GetBaselinesAsync([new("checkout", "GET /cart", SpanKind.Server)], Now);

        Assert.True(set.IsEmpty);
        var warning = Assert.Single(log.Messages, m => m.Contains("tempo answered 400", StringComparison.Ordinal));
        Assert.Contains("invalid TraceQL query: parse error at line 1, col 2: syntax error: unexpected IDENTIFIER", warning, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetBaselines_NothingMatched_NoBaselines()
    {
        await using var tempo = await TempoStub.StartAsync();
        var log = new CapturingLogger();
        var provider = Provider(tempo.Url, log);

        Assert.True((await provider.GetBaselinesAsync([new("search", "GET /q", SpanKind.Server)], Now)).IsEmpty);
        Assert.Empty(log.Messages);
    }

    [Fact]
    public async Task GetBaselines_APartialAnswer_IsRefusedWithTempoMessage()
    {
        await using var tempo = await TempoStub.StartAsync();
        tempo.Partial = true;
        var log = new CapturingLogger();
        var provider = Provider(tempo.Url, log);

        Assert.True((await provider.GetBaselinesAsync([new("checkout", "GET /cart", SpanKind.Server)], Now)).IsEmpty);
        Assert.Contains(log.Messages, m => m.Contains("PARTIAL result: Response exceeds maximum series limit", StringComparison.Ordinal));
    }

    [Fact]
    public async Task GetBaselines_ANaNQuantile_LeavesThatOperationOutOnly()
    {
        await using var tempo = await TempoStub.StartAsync();
        tempo.DbP99 = double.NaN;
        var provider = Provider(tempo.Url);

        var set = await provider.GetBaselinesAsync([new("checkout", "GET /cart", SpanKind.Server), new("checkout", "db.query (orders)", SpanKind.Client)], Now);

        Assert.NotNull(set.Find("checkout", "GET /cart", SpanKind.Server));
        Assert.Null(set.Find("checkout", "db.query (orders)", SpanKind.Client));
    }

    [Fact]
    public async Task GetBaselines_AZeroValueLeftOutOfTheJson_ReadsAsZero()
    {
        await using var tempo = await TempoStub.StartAsync();
        tempo.CartP50 = 0;
        var provider = Provider(tempo.Url);

        var cart = (await provider.GetBaselinesAsync([new("checkout", "GET /cart", SpanKind.Server)], Now)).Find("checkout", "GET /cart", SpanKind.Server);

        Assert.NotNull(cart);
        Assert.Equal((0, 20, 31), (cart.P50Ms, cart.P90Ms, cart.P99Ms));
        Assert.Contains(tempo.Bodies, b => b.Contains("""{"doubleValue":0.5}}]},""", StringComparison.Ordinal));
    }

    private static IBaselineProvider Provider(Uri url, CapturingLogger? log = null)
    {
        var services = new ServiceCollection();
        services.AddLogging(logging =>
        {
            if (log is not null)
            {
                logging.AddProvider(log);
            }
        });
        services.AddSingleton<TimeProvider>(new FixedTime(Now));
        services.AddOpsAssistantBaselines(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["OpsAssistant:Baselines:Source"] = "Tempo",
            ["OpsAssistant:Baselines:Window"] = "06:00:00",
            ["OpsAssistant:Baselines:Tempo:Url"] = url.ToString(),
            ["OpsAssistant:Baselines:Tempo:OrgId"] = "tenant-a",
        }).Build());
        return services.BuildServiceProvider().GetRequiredService<IBaselineProvider>();
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    /// <summary>Keeps the text of every warning logged.</summary>
    private sealed class CapturingLogger : ILoggerProvider, ILogger
    {
        public ConcurrentQueue<string> Messages { get; } = new();

        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                Messages.Enqueue(formatter(state, exception));
            }
        }

        public void Dispose()
        {
        }
    }

    /// <summary>
    /// Tempo's <c>GET /api/metrics/query</c> on loopback, answering as its query frontend does: a <c>QueryInstantResponse</c>
    /// written by gogo jsonpb at its defaults, so zero values are left out (no <c>series</c> when nothing matched, no
    /// <c>value</c> of 0, no <c>COMPLETE</c> status), 64-bit counters are strings, non-finite doubles are the strings
    /// <c>"NaN"</c>/<c>"Infinity"</c>, labels are OTLP key/values named as in the query's <c>by</c> with names and kinds as
    /// strings and the quantile as label <c>p</c> (a double); a bad query gets 400 with the parser's message as plain text.
    /// </summary>
    private sealed class TempoStub : IAsyncDisposable
    {
        private const string Cart = """{"key":"resource.service.name","value":{"stringValue":"checkout"}},{"key":"name","value":{"stringValue":"GET /cart"}},{"key":"kind","value":{"stringValue":"server"}}""";
        private const string Db = """{"key":"resource.service.name","value":{"stringValue":"checkout"}},{"key":"name","value":{"stringValue":"db.query (orders)"}},{"key":"kind","value":{"stringValue":"client"}}""";
        private const string Metrics = "\"metrics\":{\"inspectedBytes\":\"52480\",\"totalBlocks\":3,\"completedJobs\":4,\"totalJobs\":4,\"totalBlockBytes\":\"901120\",\"inspectedSpans\":\"18472\"}";

        private readonly WebApplication _app;

        private TempoStub(WebApplication app) => _app = app;

        public ConcurrentBag<(string Query, string Start, string End, string OrgId)> Requests { get; } = [];

        public ConcurrentBag<string> Bodies { get; } = [];

        public Uri Url { get; private set; } = null!;

        public int Status { get; set; } = StatusCodes.Status200OK;

        public bool Partial { get; set; }

        public double DbP99 { get; set; } = 1.5;

        public double CartP50 { get; set; } = 0.004;

        public static async Task<TempoStub> StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            var app = builder.Build();
            var stub = new TempoStub(app);
            app.MapGet("/api/metrics/query", stub.Answer);
            await app.StartAsync();
            stub.Url = new Uri(app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First());
            return stub;
        }

        public ValueTask DisposeAsync() => _app.DisposeAsync();

        /// <summary>One <c>InstantSeries</c>: its labels, and its value unless 0; a non-finite value as jsonpb spells it.</summary>
        private static string Series(string labels, double value) =>
            value == 0 ? $$"""{"labels":[{{labels}}]}"""
            : double.IsNaN(value) ? $$"""{"labels":[{{labels}}],"value":"NaN"}"""
            : $$"""{"labels":[{{labels}}],"value":{{value.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}}}""";

        private static string Quantiles(string labels, double p50, double p90, double p99) => string.Join(",",
            Series($$$"""{{{labels}}},{"key":"p","value":{"doubleValue":0.5}}""", p50),
            Series($$$"""{{{labels}}},{"key":"p","value":{"doubleValue":0.9}}""", p90),
            Series($$$"""{{{labels}}},{"key":"p","value":{"doubleValue":0.99}}""", p99));

        private IResult Answer(HttpContext context)
        {
            var query = context.Request.Query;
            var q = query["q"].ToString();
            Requests.Add((q, query["start"].ToString(), query["end"].ToString(), context.Request.Headers["X-Scope-OrgID"].ToString()));
            if (Status != StatusCodes.Status200OK)
            {
                return Results.Text("invalid TraceQL query: parse error at line 1, col 2: syntax error: unexpected IDENTIFIER", "text/plain; charset=utf-8", statusCode: Status);
            }

            if (!q.Contains("GET /cart", StringComparison.Ordinal))
            {
                return Results.Text($$"""{{{Metrics}}}""", "application/json");
            }

            var series = q.Contains("quantile_over_time", StringComparison.Ordinal) ? Quantiles(Cart, CartP50, 0.02, 0.031) + "," + Quantiles(Db, 0.2, 0.9, DbP99)
                : q.Contains("status = error", StringComparison.Ordinal) ? Series(Cart, 922)
                : Series(Cart, 18432) + "," + Series(Db, 40);
            var status = Partial
                ? ",\"status\":\"PARTIAL\",\"message\":\"Response exceeds maximum series limit of 2, a partial response is returned. Warning: the accuracy of each individual value is not guaranteed.\""
                : "";
            var body = $$"""{"series":[{{series}}],{{Metrics}}{{status}}}""";
            Bodies.Add(body);
            return Results.Text(body, "application/json");
        }
    }
}
