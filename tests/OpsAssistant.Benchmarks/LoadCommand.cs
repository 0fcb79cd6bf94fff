using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpsAssistant.Infrastructure.Telemetry;

namespace OpsAssistant.Benchmarks;

/// <summary>
/// <c>load [workers] [requests] [accept-only] [fixed-warm-up]</c>: a bounded load run against the real service (accept-only: the worker off and no analyses endpoint). Starts the Server's own host
/// (<c>AddOpsAssistant</c> + <c>MapOpsAssistantApi</c>) on a free loopback port with a temporary SQLite store, ingests a
/// 10,000-span OTLP/JSON trace, then sends a fixed number of requests from N concurrent HttpClient workers to
/// <c>GET /healthz</c> (the floor), <c>POST /api/analyses</c> on the stored trace (heuristic engine, no LLM) and
/// <c>POST /webhooks/alertmanager</c> (an Alertmanager v4 notification with one firing alert naming the trace, a distinct
/// fingerprint each, so every request queues a new analysis). Each endpoint is first driven by the same workers for
/// <see cref="WarmUp"/> and then until the JIT has compiled nothing for <see cref="JitQuiet"/>, so the measured requests run
/// tier-1 code, not the JIT's first tiers and its compilations.
/// Prints req/s and latency percentiles per endpoint. Takes seconds; it is a measurement, not a test.
/// </summary>
internal static class LoadCommand
{
    private const int TraceSpans = 10_000;

    /// <summary>
    /// How long each endpoint is driven before it is measured. Tiered compilation moves a method to optimised code only
    /// after 30 calls and a pause in new compilations; a run of a few hundred requests after a 4-request warm-up measured
    /// mostly the JIT (a fifth of the webhook run's CPU samples were in the JIT compiler).
    /// </summary>
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(2);

    /// <summary>The longest a warm-up goes on past <see cref="WarmUp"/> waiting for the JIT to compile nothing for <see cref="JitQuiet"/>.</summary>
    private static readonly TimeSpan JitSettle = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan JitQuiet = TimeSpan.FromSeconds(1);

    public static async Task<int> RunAsync(string[] args)
    {
        var workers = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 8;
        var requests = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 400;

        // "accept-only": this host queues alerts without analysing them (RunWorker=false), which isolates the webhook's own
        // cost from the background analyses that otherwise share the CPU and the SQLite writer with it.
        var acceptOnly = args.Contains("accept-only", StringComparer.OrdinalIgnoreCase);

        // "fixed-warm-up": only WarmUp, not waiting for the JIT to settle (how this command measured before it did).
        var settle = args.Contains("fixed-warm-up", StringComparer.OrdinalIgnoreCase) ? TimeSpan.Zero : JitSettle;
        var directory = Directory.CreateTempSubdirectory("opsassistant-load-").FullName;
        try
        {
            await using var app = await StartServiceAsync(directory, new Dictionary<string, string?>
            {
                ["urls"] = "http://127.0.0.1:0",
                ["OpsAssistant:Storage:Path"] = Path.Combine(directory, "load.db"),
                ["OpsAssistant:SeedSamples"] = "false",
                ["OpsAssistant:Ingest:GrpcUrl"] = "",
                ["OpsAssistant:Webhooks:RunWorker"] = acceptOnly ? "false" : "true",
                ["OpsAssistant:Webhooks:MaxQueuedAnalyses"] = "1000000",

                // The load measures the service's throughput, not the per-caller LLM rate limit all workers would share.
                ["OpsAssistant:RateLimits:LlmRequestsPerMinute"] = "0",
            });
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = workers }) { BaseAddress = new Uri(address), Timeout = TimeSpan.FromMinutes(2) };

            var trace = LargeTraceGenerator.Generate(TraceSpans);
            var ingest = Stopwatch.StartNew();
            using (var content = new ByteArrayContent(trace))
            {
                content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                (await http.PostAsync("/v1/traces", content)).EnsureSuccessStatusCode();
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"service on {address}; ingested {TraceSpans:N0} spans ({trace.Length / 1048576.0:0.0} MB OTLP/JSON) in {ingest.Elapsed.TotalMilliseconds:0} ms; {workers} workers, {Environment.ProcessorCount} cores, {WarmUp.TotalSeconds:0} s warm-up per endpoint{(acceptOnly ? ", worker off (accept-only)" : "")}"));

            var analysisBody = $$"""{"traceId":"{{LargeTraceGenerator.TraceId}}"}""";
            var alertCounter = 0;
            using var finished = new QueuedAnalysesFinished();
            var runs = new List<Result> { await MeasureAsync("GET /healthz", http, workers, requests, () => new HttpRequestMessage(HttpMethod.Get, "/healthz"), WarmUp, settle) };

            // Not with accept-only: the analysis code's tier-1 compilations would still be running in the background through
            // the webhook run and charge it with their CPU.
            if (!acceptOnly)
            {
                runs.Add(await MeasureAsync("POST /api/analyses (10k spans)", http, workers, Math.Max(workers * 2, requests / 10),
                    () => Json("/api/analyses", analysisBody), WarmUp, settle));
            }

            // The webhook figures depend on how much the background worker analyses meanwhile (it shares the CPU and the
            // SQLite writer with the accepts), so the run reports that too.
            var finishedBefore = finished.Count;
            runs.Add(await MeasureAsync("POST /webhooks/alertmanager", http, workers, requests,
                () => Json("/webhooks/alertmanager", Alert(Interlocked.Increment(ref alertCounter))), WarmUp, settle));
            var finishedDuring = finished.Count - finishedBefore;

            var floor = runs[0];
            Console.WriteLine();
            Console.WriteLine("| endpoint | requests | req/s | p50 ms | p95 ms | p99 ms | CPU ms/req | p50 vs /healthz | req/s vs /healthz |");
            Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var r in runs)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {r.Name} | {r.Count} | {r.PerSecond:0.0} | {r.P50:0.0} | {r.P95:0.0} | {r.P99:0.0} | {r.CpuMs:0.00} | {r.P50 / floor.P50:0.0}× | {r.PerSecond / floor.PerSecond:0.000} |"));
            }

            Console.WriteLine();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"queued alert analyses the worker finished during the webhook run: {finishedDuring} (of {alertCounter} alerts accepted)"));
            await app.StopAsync();
            return 0;
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
                // A temp folder left behind is harmless.
            }
        }
    }

    /// <summary>The Server's own host (<c>AddOpsAssistant</c> + <c>MapOpsAssistantApi</c>) started with these settings, logging warnings only.</summary>
    internal static async Task<WebApplication> StartServiceAsync(string directory, Dictionary<string, string?> settings)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production", ContentRootPath = directory });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.SetMinimumLevel(LogLevel.Warning).AddFilter("Microsoft", LogLevel.Warning);
        builder.AddOpsAssistant();
        var app = builder.Build();
        app.MapOpsAssistantApi();
        await app.StartAsync();
        return app;
    }

    private static HttpRequestMessage Json(string path, string body) =>
        new(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };

    /// <summary>An Alertmanager v4 notification as Alertmanager sends it, one firing alert naming the stored trace.</summary>
    private static string Alert(int n) => string.Create(CultureInfo.InvariantCulture, $$"""
        {"receiver":"opsassistant","status":"firing","alerts":[{"status":"firing","labels":{"alertname":"HighLatency","instance":"10.0.0.{{n % 250}}","job":"checkout","service":"checkout","severity":"major"},"annotations":{"description":"p99 latency above 2 s","trace_id":"{{LargeTraceGenerator.TraceId}}"},"startsAt":"2026-11-25T09:00:00.000Z","endsAt":"0001-01-01T00:00:00Z","generatorURL":"http://prometheus:9090/graph?g0.expr=latency","fingerprint":"{{n:x16}}"}],"groupLabels":{"alertname":"HighLatency"},"commonLabels":{"alertname":"HighLatency","severity":"major"},"commonAnnotations":{},"externalURL":"http://alertmanager:9093","version":"4","groupKey":"{}:{alertname=\"HighLatency\"}","truncatedAlerts":0}
        """);

    /// <summary>
    /// Sends <paramref name="count"/> requests from <paramref name="workers"/> concurrent workers, after a warm-up: the same
    /// workers for <paramref name="warmUp"/> and then while the JIT still compiles, for at most <paramref name="settle"/> more, when given; else a few requests one at a time.
    /// </summary>
    internal static async Task<Result> MeasureAsync(string name, HttpClient http, int workers, int count, Func<HttpRequestMessage> request, TimeSpan? warmUp = null, TimeSpan settle = default)
    {
        // Warm-up: JIT, connection pool, first-use caches.
        if (warmUp is { } duration)
        {
            // At least the given time, then on while the JIT still compiles (tier-up of a service this size goes on for
            // seconds under load: measured at once, a quarter of the CPU samples were the tiering thread's), at most settle.
            var started = Stopwatch.GetTimestamp();
            var minimum = started + (long)(duration.TotalSeconds * Stopwatch.Frequency);
            var maximum = minimum + (long)(settle.TotalSeconds * Stopwatch.Frequency);
            var settled = 0;
            var warming = Task.WhenAll(Enumerable.Range(0, workers).Select(_ => Task.Run(async () =>
            {
                while (Volatile.Read(ref settled) == 0)
                {
                    await SendAsync(http, request());
                }
            })));
            var compiled = System.Runtime.JitInfo.GetCompiledMethodCount();
            while (true)
            {
                await Task.Delay(JitQuiet);
                var now = System.Runtime.JitInfo.GetCompiledMethodCount();
                if (Stopwatch.GetTimestamp() >= maximum || (Stopwatch.GetTimestamp() >= minimum && now == compiled))
                {
                    break;
                }

                compiled = now;
            }

            Volatile.Write(ref settled, 1);
            await warming;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name}: warmed up for {Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s"));
        }
        else
        {
            for (var i = 0; i < Math.Min(workers, 4); i++)
            {
                await SendAsync(http, request());
            }
        }

        var latencies = new double[count];
        var next = -1;

        // Process CPU (server, client and GC together) per request: on a shared machine req/s moves with the neighbours'
        // load, CPU per request much less.
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var total = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, workers).Select(_ => Task.Run(async () =>
        {
            int k;
            while ((k = Interlocked.Increment(ref next)) < count)
            {
                var watch = Stopwatch.StartNew();
                await SendAsync(http, request());
                latencies[k] = watch.Elapsed.TotalMilliseconds;
            }
        })));
        var seconds = total.Elapsed.TotalSeconds;
        var cpuMs = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds / count;
        Array.Sort(latencies);
        return new Result(name, count, count / seconds, Percentile(latencies, 0.50), Percentile(latencies, 0.95), Percentile(latencies, 0.99), cpuMs);
    }

    private static async Task SendAsync(HttpClient http, HttpRequestMessage request)
    {
        using (request)
        using (var response = await http.SendAsync(request))
        {
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"{request.Method} {request.RequestUri} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            }

            await response.Content.CopyToAsync(Stream.Null);
        }
    }

    private static double Percentile(double[] sorted, double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];

    /// <summary>Counts <see cref="OpsAssistantTelemetry.QueuedAnalyses"/> in this process: queued analyses the worker has finished.</summary>
    private sealed class QueuedAnalysesFinished : IDisposable
    {
        private readonly MeterListener _listener = new();
        private long _count;

        public QueuedAnalysesFinished()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (ReferenceEquals(instrument, OpsAssistantTelemetry.QueuedAnalyses))
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref _count, value));
            _listener.Start();
        }

        public long Count => Interlocked.Read(ref _count);

        public void Dispose() => _listener.Dispose();
    }

    internal sealed record Result(string Name, int Count, double PerSecond, double P50, double P95, double P99, double CpuMs);
}
