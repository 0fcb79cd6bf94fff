using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpsAssistant.Core.Baselines;
using OpsAssistant.Core.Model;
using OpsAssistant.Infrastructure.Baselines;

namespace OpsAssistant.Infrastructure.Tests.Baselines;

/// <summary>
/// One real Prometheus for the class, holding an hour of span metrics in both naming schemes (the Collector's
/// spanmetrics connector in milliseconds, Tempo's metrics-generator in seconds) for the same operations.
/// Started on first use so a missing binary skips the tests instead of failing the fixture.
/// </summary>
public sealed class SpanMetricsPrometheus : IAsyncDisposable
{
    /// <summary>The data's last sample: whole hours back, well within retention and out of any head block.</summary>
    public static readonly DateTimeOffset End = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds() / 3600 * 3600 - 7200);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private PrometheusServer? _server;

    public async Task<Uri> UrlAsync()
    {
        _ = OpsAssistant.Tests.TestDependencies.PrometheusPaths();
        await _gate.WaitAsync();
        try
        {
            _server ??= await PrometheusServer.StartAsync(OpenMetrics());
            return _server.Url;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        _gate.Dispose();
    }

    /// <summary>
    /// Per minute, for each operation: 100 calls (5 failed) spread over buckets so that p50 = 5 ms, p90 = 36.667 ms and
    /// p99 = 100 ms by histogram_quantile's interpolation. 61 samples a minute apart ending at <see cref="End"/>.
    /// </summary>
    private static string OpenMetrics()
    {
        (double LeMs, int Cumulative)[] buckets = [(2, 10), (5, 50), (10, 80), (50, 95), (100, 99), (500, 100)];
        (string Service, string Operation, string Kind)[] operations =
        [
            ("checkout", "GET /cart", "SPAN_KIND_SERVER"),
            ("checkout", "POST /api/v1/items/{id}", "SPAN_KIND_CLIENT"),
            ("checkout", "GET /cartx", "SPAN_KIND_SERVER"),
            ("payments", "GET /cart", "SPAN_KIND_SERVER"),
        ];
        var text = new StringBuilder();
        foreach (var (family, unit, service) in new[] { ("traces_span_metrics_duration_milliseconds", 1.0, "service_name"), ("traces_spanmetrics_latency", 1000.0, "service") })
        {
            text.Append("# TYPE ").Append(family).Append(" histogram\n");
            foreach (var op in operations)
            {
                var labels = $"{service}=\"{op.Service}\",span_name=\"{op.Operation}\",span_kind=\"{op.Kind}\"";
                for (var minute = 0; minute <= 60; minute++)
                {
                    var ts = (End.ToUnixTimeSeconds() - ((60 - minute) * 60)).ToString(CultureInfo.InvariantCulture);
                    var n = (minute + 1) * 100;
                    foreach (var (le, cumulative) in buckets)
                    {
                        text.Append(CultureInfo.InvariantCulture, $"{family}_bucket{{{labels},le=\"{(le / unit).ToString(CultureInfo.InvariantCulture)}\"}} {(minute + 1) * cumulative} {ts}\n");
                    }

                    text.Append(CultureInfo.InvariantCulture, $"{family}_bucket{{{labels},le=\"+Inf\"}} {n} {ts}\n");
                    text.Append(CultureInfo.InvariantCulture, $"{family}_count{{{labels}}} {n} {ts}\n");
                    text.Append(CultureInfo.InvariantCulture, $"{family}_sum{{{labels}}} {n * 12 / unit} {ts}\n");
                }
            }
        }

        foreach (var (family, service) in new[] { ("traces_span_metrics_calls", "service_name"), ("traces_spanmetrics_calls", "service") })
        {
            text.Append("# TYPE ").Append(family).Append(" counter\n");
            foreach (var op in operations)
            {
                foreach (var (status, perMinute) in new[] { ("STATUS_CODE_UNSET", 95), ("STATUS_CODE_ERROR", 5) })
                {
                    for (var minute = 0; minute <= 60; minute++)
                    {
                        var ts = (End.ToUnixTimeSeconds() - ((60 - minute) * 60)).ToString(CultureInfo.InvariantCulture);
                        text.Append(CultureInfo.InvariantCulture,
                            $"{family}_total{{{service}=\"{op.Service}\",span_name=\"{op.Operation}\",span_kind=\"{op.Kind}\",status_code=\"{status}\"}} {(minute + 1) * perMinute} {ts}\n");
                    }
                }
            }
        }

        return text.Append("# EOF\n").ToString();
    }
}

public sealed class PrometheusBaselineProviderTests(SpanMetricsPrometheus prometheus) : IClassFixture<SpanMetricsPrometheus>
{
    private static readonly OperationKey Cart = new("checkout", "GET /cart", SpanKind.Server);
    private static readonly OperationKey Items = new("checkout", "POST /api/v1/items/{id}", SpanKind.Client);

    [Theory]
    [InlineData("OtelCollector")]
    [InlineData("TempoMetricsGenerator")]
    public async Task GetBaselines_SpanMetricsOfEitherScheme_QuantilesCountAndErrorRate(string flavor)
    {
        var provider = Provider(await prometheus.UrlAsync(), flavor);

        var set = await provider.GetBaselinesAsync([Cart, Items], SpanMetricsPrometheus.End);

        Assert.Equal("prometheus", set.Source);
        Assert.Equal(2, set.Operations.Count);
        foreach (var key in new[] { Cart, Items })
        {
            var b = set.Find(key.Service, key.Operation, key.Kind);
            Assert.NotNull(b);
            Assert.Equal(5, b.P50Ms, 2);
            Assert.Equal(36.667, b.P90Ms, 2);
            Assert.Equal(100, b.P99Ms, 2);
            Assert.Equal(0.05, b.ErrorRate, 3);
            Assert.InRange(b.Count, 5900, 6100);
            Assert.Equal(SpanMetricsPrometheus.End, b.To);
            Assert.Equal(SpanMetricsPrometheus.End - TimeSpan.FromHours(1), b.From);
        }
    }

    [Fact]
    public async Task GetBaselines_AsOfATraceHalfAnHourBack_EvaluatesThereSoWhatFollowsIsLeftOut()
    {
        var provider = Provider(await prometheus.UrlAsync(), "OtelCollector");
        // A trace that started 40 s into the minute half an hour before the data's end: evaluated at that minute's start,
        // the hour's range reaches back over the data's first half only.
        var start = SpanMetricsPrometheus.End - TimeSpan.FromMinutes(30) + TimeSpan.FromSeconds(40);

        var b = Assert.Single((await provider.GetBaselinesAsync([Cart], start)).Operations);

        Assert.Equal(SpanMetricsPrometheus.End - TimeSpan.FromMinutes(30), b.To);
        Assert.Equal(SpanMetricsPrometheus.End - TimeSpan.FromMinutes(90), b.From);
        Assert.InRange(b.Count, 2900, 3200);
        Assert.Equal(100, b.P99Ms, 2);
    }

    [Fact]
    public async Task GetBaselines_AsOfATrace_SendsTheStartOfItsMinuteAsTheQueryTime()
    {
        await using var stub = await PrometheusQueryStub.StartAsync();
        var provider = Provider(stub.Url, "OtelCollector");
        var start = SpanMetricsPrometheus.End - TimeSpan.FromHours(3) + TimeSpan.FromSeconds(59.9);

        await provider.GetBaselinesAsync([Cart], start);
        // An instant after the provider's now (a client clock ahead) counts as now.
        await provider.GetBaselinesAsync([Cart], SpanMetricsPrometheus.End + TimeSpan.FromDays(1));

        Assert.Equal(
            [(SpanMetricsPrometheus.End - TimeSpan.FromHours(3)).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
             SpanMetricsPrometheus.End.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)],
            stub.Times);
        Assert.All(stub.Queries, q => Assert.Contains("[3600s]", q, StringComparison.Ordinal));
    }

    [Fact]
    public async Task GetBaselines_OperationNamesWithRegexSyntax_MatchOnlyThemselves()
    {
        var provider = Provider(await prometheus.UrlAsync(), "OtelCollector");

        // Unescaped, ".*" would match every operation, "GET /cart" would also match "GET /cartx" without anchors, and a quote would break the query.
        var set = await provider.GetBaselinesAsync([new("checkout", ".*", SpanKind.Server), new("checkout", "GET /cart\"}", SpanKind.Server), new("checkout", "GET /cart", SpanKind.Server)], SpanMetricsPrometheus.End);

        var only = Assert.Single(set.Operations);
        Assert.Equal(("checkout", "GET /cart"), (only.Service, only.Operation));
    }

    [Fact]
    public async Task GetBaselines_AnotherServicesOperation_IsNotReturned()
    {
        var provider = Provider(await prometheus.UrlAsync(), "OtelCollector");

        // The query selects services × operations; payments' "GET /cart" is in that product but was not asked for.
        var set = await provider.GetBaselinesAsync([new("payments", "POST /api/v1/items/{id}", SpanKind.Client), Cart], SpanMetricsPrometheus.End);

        Assert.Equal([Cart], set.Operations.Select(o => o.Key));
    }

    [Fact]
    public async Task GetService_NoOperation_EveryOperationOfThatServiceOnly()
    {
        var provider = (RemoteBaselineProvider)Provider(await prometheus.UrlAsync(), "TempoMetricsGenerator");

        var set = await provider.GetServiceAsync("checkout", null, SpanMetricsPrometheus.End);

        Assert.Equal(["GET /cart", "GET /cartx", "POST /api/v1/items/{id}"], set.Operations.Select(o => o.Operation).Order(StringComparer.Ordinal));
        Assert.All(set.Operations, o => Assert.Equal("checkout", o.Service));
        Assert.Equal(["GET /cartx"], (await provider.GetServiceAsync("checkout", "GET /cartx", SpanMetricsPrometheus.End)).Operations.Select(o => o.Operation));
    }

    [Fact]
    public async Task GetBaselines_PrometheusUnreachable_NoBaselinesWithoutThrowing()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var provider = Provider(new Uri($"http://127.0.0.1:{port}"), "OtelCollector");

        var set = await provider.GetBaselinesAsync([Cart], SpanMetricsPrometheus.End);

        Assert.True(set.IsEmpty);
    }

    [Fact]
    public async Task GetBaselines_WrongMetricName_NoBaselines()
    {
        var provider = Provider(await prometheus.UrlAsync(), "OtelCollector", ("Prometheus:DurationMetric", "traces_span_metrics_duration_seconds"));

        Assert.True((await provider.GetBaselinesAsync([Cart], SpanMetricsPrometheus.End)).IsEmpty);
    }

    private static IBaselineProvider Provider(Uri url, string flavor, params (string Key, string Value)[] extra)
    {
        var settings = new Dictionary<string, string?>
        {
            ["OpsAssistant:Baselines:Source"] = "Prometheus",
            ["OpsAssistant:Baselines:Window"] = "01:00:00",
            ["OpsAssistant:Baselines:Prometheus:Url"] = url.ToString(),
            ["OpsAssistant:Baselines:Prometheus:Flavor"] = flavor,
        };
        foreach (var (key, value) in extra)
        {
            settings["OpsAssistant:Baselines:" + key] = value;
        }

        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<TimeProvider>(new FixedTime(SpanMetricsPrometheus.End));
        services.AddOpsAssistantBaselines(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        return services.BuildServiceProvider().GetRequiredService<IBaselineProvider>();
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}

/// <summary>Prometheus' <c>POST /api/v1/query</c> on loopback: records each query and its evaluation time, answers an empty vector.</summary>
internal sealed class PrometheusQueryStub : IAsyncDisposable
{
    private readonly WebApplication _app;

    private PrometheusQueryStub(WebApplication app) => _app = app;

    public Uri Url { get; private set; } = null!;

    public List<string> Times { get; } = [];

    public List<string> Queries { get; } = [];

    public static async Task<PrometheusQueryStub> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var stub = new PrometheusQueryStub(app);
        app.MapPost("/api/v1/query", async (HttpRequest request) =>
        {
            var form = await request.ReadFormAsync();
            lock (stub.Times)
            {
                stub.Times.Add(form["time"].ToString());
                stub.Queries.Add(form["query"].ToString());
            }

            return Results.Text("""{"status":"success","data":{"resultType":"vector","result":[]}}""", "application/json");
        });
        await app.StartAsync();
        var addresses = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>();
        stub.Url = new Uri(addresses.Addresses.First() + "/");
        return stub;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
