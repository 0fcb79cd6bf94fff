using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using OpsAssistant.Core.Formats;
using OpsAssistant.Core.Model;
using OpsAssistant.Infrastructure.Baselines;
using OpsAssistant.Infrastructure.Storage;

namespace OpsAssistant.Benchmarks;

/// <summary>
/// <c>ingest-phases [requests] [spans]</c>: where an ingest request's CPU goes outside HTTP, one phase at a time on one
/// thread over the <c>ingest</c> command's requests: parsing the body (protobuf, JSON), encoding the spans into stored
/// chunks, the whole store write into SQLite (encode included), and the baseline recorder. Prints the median ms per 1,000
/// spans of each, so it reads against the <c>ingest</c> command's "CPU ms per 1k spans".
/// </summary>
internal static class IngestPhasesCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        var requests = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 40;
        var size = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1000;
        var batches = Enumerable.Range(0, requests).Select(n => IngestCommand.Batch(n, size)).ToList();
        var protobuf = batches.ConvertAll(b => IngestCommand.Encode(b, protobuf: true));
        var json = batches.ConvertAll(b => IngestCommand.Encode(b, protobuf: false));

        var directory = Directory.CreateTempSubdirectory("opsassistant-ingest-phases-").FullName;
        try
        {
            await using var database = new SqliteDatabase(SqliteDatabase.ConnectionStringForFile(Path.Combine(directory, "traces.db")));
            var store = new TraceRepository(database);
            await database.InitializeAsync();
            var recorder = new BaselineRecorder();
            var parsed = protobuf.ConvertAll(b => OtlpProtobufReader.Read(b));

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ingest phases: {requests} requests of {size:N0} spans, one thread, median ms per 1k spans"));
            Console.WriteLine();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"request bodies per 1k spans: protobuf {protobuf.Average(b => b.Length) * 1000 / size / 1024:0} KB, JSON {json.Average(b => b.Length) * 1000 / size / 1024:0} KB"));
            Console.WriteLine();
            Console.WriteLine("| phase | ms per 1k spans | KB allocated per 1k spans |");
            Console.WriteLine("|---|---:|---:|");
            Row("parse protobuf (OtlpProtobufReader)", size, requests, i => OtlpProtobufReader.Read(protobuf[i]));
            Row("parse JSON (TraceReader)", size, requests, i => TraceReader.Read(json[i]).Traces.Sum(t => t.Spans.Count));
            Row("encode chunks (SpanChunkCodec)", size, requests, i => EncodeChunks(parsed[i]));
            var write = new List<double>();
            for (var i = 0; i < requests; i++)
            {
                var started = Stopwatch.GetTimestamp();
                await store.AddSpansAsync([.. parsed[i]]);
                write.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }

            // Awaited across threads: what one thread allocated does not add up to the write's allocations.
            Print("store write, SQLite (encode included)", size, write, allocated: null);
            Row("baseline recorder (Record)", size, requests, i =>
            {
                recorder.Record(parsed[i]);
                return recorder.PendingCount;
            });
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }

        return 0;
    }

    private static int EncodeChunks(IReadOnlyList<Span> spans)
    {
        var bytes = 0;
        foreach (var trace in spans.GroupBy(s => s.TraceId, StringComparer.Ordinal))
        {
            var chunk = trace.Select(ChunkSpan.From).OrderBy(s => s.Span.StartUnixNano).ToArray();
            bytes += SpanChunkCodec.Encode(chunk).Length + SpanChunkCodec.EncodeKeys(chunk).Length;
        }

        return bytes;
    }

    private static void Row(string phase, int size, int requests, Func<int, object> run)
    {
        GC.KeepAlive(run(0));
        var times = new List<double>();
        var allocated = new List<double>();
        for (var i = 0; i < requests; i++)
        {
            var bytes = GC.GetAllocatedBytesForCurrentThread();
            var started = Stopwatch.GetTimestamp();
            GC.KeepAlive(run(i));
            times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            allocated.Add(GC.GetAllocatedBytesForCurrentThread() - bytes);
        }

        Print(phase, size, times, allocated);
    }

    private static void Print(string phase, int size, List<double> times, List<double>? allocated)
    {
        times.Sort();
        allocated?.Sort();
        var kilobytes = allocated is null ? "" : (allocated[allocated.Count / 2] * 1000 / size / 1024).ToString("0", CultureInfo.InvariantCulture);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {phase} | {times[times.Count / 2] * 1000 / size:0.00} | {kilobytes} |"));
    }
}
