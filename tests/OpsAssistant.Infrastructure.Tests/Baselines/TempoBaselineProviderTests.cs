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

        var set = await provider.GetBaselinesAsync([new("checkout", "GET /cart", SpanKind.Server), new("checkout", "db.query (orders)", SpanKind.Client)]);

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
    public async Task GetBaselines_TempoFails_NoBaselinesWithoutThrowing()
    {
        await using var tempo = await TempoStub.StartAsync();
        tempo.Status = StatusCodes.Status400BadRequest;
        var provider = Provider(tempo.Url);

        var set = await provider.GetBaselinesAsync([new("checkout", "GET /cart", SpanKind.Server)]);

        Assert.True(set.IsEmpty);
    }

    [Fact]
    public async Task GetBaselines_NothingMatched_NoBaselines()
    {
        await using var tempo = await TempoStub.StartAsync();
        var provider = Provider(tempo.Url);

        Assert.True((await provider.GetBaselinesAsync([new("search", "GET /q", SpanKind.Server)])).IsEmpty);
    }

    private static IBaselineProvider Provider(Uri url)
    {
        var services = new ServiceCollection();
        services.AddLogging();
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

    private sealed class TempoStub : IAsyncDisposable
    {
        private const string Cart = """{"key":"resource.service.name","value":{"stringValue":"checkout"}},{"key":"name","value":{"stringValue":"GET /cart"}},{"key":"kind","value":{"stringValue":"server"}}""";
        private const string Db = """{"key":"resource.service.name","value":{"stringValue":"checkout"}},{"key":"name","value":{"stringValue":"db.query (orders)"}},{"key":"kind","value":{"intValue":"3"}}""";

        private readonly WebApplication _app;

        private TempoStub(WebApplication app) => _app = app;

        public ConcurrentBag<(string Query, string Start, string End, string OrgId)> Requests { get; } = [];

        public Uri Url { get; private set; } = null!;

        public int Status { get; set; } = StatusCodes.Status200OK;

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

        private IResult Answer(HttpContext context)
        {
            var query = context.Request.Query;
            var q = query["q"].ToString();
            Requests.Add((q, query["start"].ToString(), query["end"].ToString(), context.Request.Headers["X-Scope-OrgID"].ToString()));
            if (Status != StatusCodes.Status200OK)
            {
                return Results.Text("parse error: unexpected IDENTIFIER", "text/plain", statusCode: Status);
            }

            if (!q.Contains("GET /cart", StringComparison.Ordinal))
            {
                return Results.Text("""{"series":[],"metrics":{"inspectedSpans":"0"}}""", "application/json");
            }

            string body;
            if (q.Contains("quantile_over_time", StringComparison.Ordinal))
            {
                body = $$$"""
                    {"series":[
                      {"labels":[{{{Cart}}},{"key":"p","value":{"doubleValue":0.5}}],"value":0.004},
                      {"labels":[{{{Cart}}},{"key":"p","value":{"doubleValue":0.9}}],"value":0.02},
                      {"labels":[{{{Cart}}},{"key":"p","value":{"doubleValue":0.99}}],"value":0.031},
                      {"labels":[{{{Db}}},{"key":"p","value":{"doubleValue":0.5}}],"value":0.2},
                      {"labels":[{{{Db}}},{"key":"p","value":{"doubleValue":0.9}}],"value":0.9},
                      {"labels":[{{{Db}}},{"key":"p","value":{"doubleValue":0.99}}],"value":1.5}]}
                    """;
            }
            else if (q.Contains("status = error", StringComparison.Ordinal))
            {
                body = $$$"""{"series":[{"labels":[{{{Cart}}}],"value":922}]}""";
            }
            else
            {
                body = $$$"""{"series":[{"labels":[{{{Cart}}}],"value":18432},{"labels":[{{{Db}}}],"value":40}]}""";
            }

            return Results.Text(body, "application/json");
        }
    }
}
