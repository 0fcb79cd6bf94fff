using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OpsAssistant.Core.Analysis;
using OpsAssistant.Core.Incidents;
using OpsAssistant.Core.Model;
using OpsAssistant.Core.Prompting;
using OpsAssistant.Infrastructure.Incidents;
using OpsAssistant.Infrastructure.Storage;
using Attribute = OpsAssistant.Core.Model.Attribute;

namespace OpsAssistant.Benchmarks;

/// <summary>
/// <c>incidents [traces-per-window] [runs]</c>: fills a fresh SQLite store with two windows of checkout traces (a server
/// span and a client span of checkout plus the callee's span, so a third of the rows belong to another service), a bad
/// version on half the alert window, then times the incident: reading both windows, comparing them, and the whole
/// <see cref="IncidentService.RunAsync"/> with three exemplars analysed by the heuristic engine. Prints one line per run.
/// </summary>
internal static class IncidentsCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        var perWindow = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10_000;
        var runs = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 5;
        var directory = Directory.CreateTempSubdirectory("opsassistant-incidents-bench-").FullName;
        try
        {
            var database = new SqliteDatabase(SqliteDatabase.ConnectionStringForFile(Path.Combine(directory, "bench.db")));
            var store = new TraceRepository(database);
            var analyses = new AnalysisRepository(database);
            var alertStart = DateTimeOffset.UtcNow.AddHours(-1);
            var window = new IncidentTimeRange(alertStart, alertStart.AddMinutes(15));
            var fill = Stopwatch.StartNew();
            await FillAsync(store, window.Before(), perWindow, bad: false);
            await FillAsync(store, window, perWindow, bad: true);
            Console.WriteLine($"filled {2 * perWindow} traces ({6 * perWindow} spans) in {fill.Elapsed.TotalSeconds:0.0} s");

            var reader = new StoreIncidentWindowReader(database);
            var service = new IncidentService(reader, store, new HeuristicEngine(), analyses, new RelationalIncidentStore(database),
                Options.Create(new IncidentOptions { MaxTracesPerWindow = perWindow }), SecretRedactor.Default, TimeProvider.System, NullLogger<IncidentService>.Instance);
            Console.WriteLine("run  read-both-ms  compare-ms  incident-ms  top-change");
            for (var run = 1; run <= runs; run++)
            {
                var watch = Stopwatch.StartNew();
                var previous = await reader.ReadAsync("checkout", window.Before(), perWindow);
                var current = await reader.ReadAsync("checkout", window, perWindow);
                var read = watch.Elapsed.TotalMilliseconds;
                watch.Restart();
                var comparison = IncidentComparer.Compare(previous.Traces, current.Traces);
                var compare = watch.Elapsed.TotalMilliseconds;
                watch.Restart();
                var incident = await service.RunAsync(service.Request("checkout", window, "bench"));
                var whole = watch.Elapsed.TotalMilliseconds;
                var top = comparison.Changes.Count > 0 ? $"{comparison.Changes[0].Dimension}={comparison.Changes[0].Value}" : "none";
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{run,3}  {read,12:0}  {compare,10:0}  {whole,11:0}  {top} ({incident.Counts!.Traces} + {incident.PreviousCounts!.Traces} traces)"));
            }

            return 0;
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task FillAsync(TraceRepository store, IncidentTimeRange window, int count, bool bad)
    {
        var random = new Random(bad ? 2 : 1);
        var step = window.Duration.Ticks / count;
        var batch = new List<Span>(3000);
        for (var i = 0; i < count; i++)
        {
            var version = bad && i % 2 == 0 ? "2.0" : "1.0";
            var start = (window.From.AddTicks(i * step) - DateTimeOffset.UnixEpoch).Ticks * 100;
            var duration = (long)((version == "2.0" ? 300 : 50) * (0.8 + random.NextDouble() * 0.4) * 1_000_000);
            var traceId = $"{(bad ? 1 : 0):x1}{i:x31}";
            var resource = new Resource("checkout",
            [
                new Attribute("service.name", "checkout"), new Attribute("service.version", version), new Attribute("host.name", "pod-" + (i % 8).ToString(CultureInfo.InvariantCulture)),
                new Attribute("cloud.region", i % 3 == 0 ? "eu-west-1" : "us-east-1"),
            ]);
            var server = $"a{i:x15}";
            var client = $"b{i:x15}";
            batch.Add(new Span
            {
                TraceId = traceId, SpanId = server, Name = "POST /pay", Kind = SpanKind.Server, StartUnixNano = start, EndUnixNano = start + duration, Resource = resource,
                Attributes = [new Attribute("http.route", "/pay"), new Attribute("http.response.status_code", 200L)],
            });
            batch.Add(new Span
            {
                TraceId = traceId, SpanId = client, ParentSpanId = server, Name = "POST payments", Kind = SpanKind.Client, StartUnixNano = start + 1000,
                EndUnixNano = start + duration - 1000, Resource = resource, Attributes = [new Attribute("peer.service", "payments"), new Attribute("http.response.status_code", 200L)],
            });
            batch.Add(new Span
            {
                TraceId = traceId, SpanId = $"c{i:x15}", ParentSpanId = client, Name = "charge", Kind = SpanKind.Server, StartUnixNano = start + 2000,
                EndUnixNano = start + duration - 2000, Resource = new Resource("payments"),
            });
            if (batch.Count >= 3000)
            {
                await store.AddSpansAsync(batch);
                batch.Clear();
            }
        }

        if (batch.Count > 0)
        {
            await store.AddSpansAsync(batch);
        }
    }
}
