using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using System.Text;
using OpsAssistant.Core.Formats;

namespace OpsAssistant.Benchmarks;

/// <summary>
/// <c>hostile [readers] [bombs] [seconds] [spans]</c>: the service under the two memory attacks, each against a fresh copy of
/// the built service (<c>src/OpsAssistant.Server/bin/Release</c>, its own process with its own GC settings) on loopback.
/// (1) A <c>spans</c>-span trace (200,000 by default) is ingested, then <c>readers</c> clients (50) read
/// <c>GET /api/traces/{id}</c> at 50 KB/s each. (2) <c>bombs</c> clients (32) post gzip bodies of 122 KB that inflate to
/// 120 MiB of JSON whitespace to <c>/v1/traces</c>, over and over. During each, the server's resident memory is sampled from
/// /proc every 50 ms and <c>GET /healthz</c> is timed every 100 ms. Prints peak RSS, /healthz latency percentiles and the
/// answers the attackers got. Bounded (<c>seconds</c> per attack, 20 by default); a measurement, not a test.
/// </summary>
internal static class HostileLoadCommand
{
    private const int ReaderBytesPerSecond = 50 * 1024;

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA2025", Justification = "Every attack task is awaited before its server is disposed at the end of the using block.")]
    public static async Task<int> RunAsync(string[] args)
    {
        var readers = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 50;
        var bombs = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 32;
        var seconds = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 20;
        var spans = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 200_000;
        var duration = TimeSpan.FromSeconds(seconds);

        using (var server = await Service.StartAsync())
        {
            Console.WriteLine($"slow readers: {readers} clients at {ReaderBytesPerSecond / 1024} KB/s on a {spans:N0}-span trace for {seconds} s");
            await IngestAsync(server, spans);
            var size = await WarmReadAsync(server);
            Console.WriteLine($"  trace document {size / (1024.0 * 1024):F1} MiB; RSS after ingest and one read {Mib(server.Rss())}");
            using var stop = new CancellationTokenSource(duration);
            var attack = Enumerable.Range(0, readers).Select(_ => SlowReadAsync(server, stop.Token)).ToList();
            var watch = await WatchAsync(server, stop.Token);
            var read = await Task.WhenAll(attack);
            Report(watch, $"  readers received {read.Sum() / (1024.0 * 1024):F1} MiB in all");
        }

        using (var server = await Service.StartAsync())
        {
            var bomb = GzipBomb();
            Console.WriteLine($"gzip bombs: {bombs} clients posting {bomb.Length / 1024} KB that inflate to 120 MiB, repeatedly, for {seconds} s");
            Console.WriteLine($"  RSS at start {Mib(server.Rss())}");
            using var stop = new CancellationTokenSource(duration);
            var statuses = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
            var attack = Enumerable.Range(0, bombs).Select(_ => BombAsync(server, bomb, statuses, stop.Token)).ToList();
            var watch = await WatchAsync(server, stop.Token);
            await Task.WhenAll(attack);
            Report(watch, "  answers: " + string.Join(", ", statuses.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => $"{s.Key} x{s.Value}")));
        }

        return 0;
    }

    private static void Report((long PeakRss, List<double> Health, int HealthFailures) watch, string attackers)
    {
        var health = watch.Health.Order().ToList();
        double At(double q) => health.Count == 0 ? double.NaN : health[Math.Min(health.Count - 1, (int)(q * health.Count))];
        Console.WriteLine($"  peak RSS {Mib(watch.PeakRss)}");
        Console.WriteLine($"  /healthz: {health.Count} probes, p50 {At(0.5):F1} ms, p99 {At(0.99):F1} ms, max {(health.Count == 0 ? double.NaN : health[^1]):F1} ms, {watch.HealthFailures} failed or over 1 s");
        Console.WriteLine(attackers);
    }

    private static string Mib(long bytes) => $"{bytes / (1024.0 * 1024):F0} MiB";

    private static async Task IngestAsync(Service server, int spanCount)
    {
        var trace = TraceReader.Read(LargeTraceGenerator.Generate(spanCount)).Traces.Single();
        using var client = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromMinutes(5) };
        foreach (var batch in trace.Spans.Chunk(20_000))
        {
            using var content = new ByteArrayContent(OtlpJsonWriter.ToUtf8Bytes(batch));
            content.Headers.ContentType = new("application/json");
            using var response = await client.PostAsync(new Uri("v1/traces", UriKind.Relative), content);
            response.EnsureSuccessStatusCode();
        }
    }

    private static async Task<long> WarmReadAsync(Service server)
    {
        using var client = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromMinutes(5) };
        using var response = await client.GetAsync(new Uri($"api/traces/{LargeTraceGenerator.TraceId}", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[81920];
        long total = 0;
        int read;
        while ((read = await body.ReadAsync(buffer)) > 0)
        {
            total += read;
        }

        return total;
    }

    /// <summary>One client reading the trace at 50 KB/s over a raw socket (a small receive window, as a slow link has) until told to stop.</summary>
    private static async Task<long> SlowReadAsync(Service server, CancellationToken stop)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 16 * 1024 };
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, server.BaseAddress.Port), CancellationToken.None);
        var request = Encoding.ASCII.GetBytes($"GET /api/traces/{LargeTraceGenerator.TraceId} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
        await socket.SendAsync(request, SocketFlags.None);
        var buffer = new byte[ReaderBytesPerSecond / 10];
        long total = 0;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var read = await socket.ReceiveAsync(buffer, SocketFlags.None, stop);
                if (read == 0)
                {
                    break;
                }

                total += read;
                await Task.Delay(100, stop);
            }
        }
        catch (OperationCanceledException)
        {
            // The attack's time is up.
        }

        return total;
    }

    private static async Task BombAsync(Service server, byte[] bomb, System.Collections.Concurrent.ConcurrentDictionary<string, int> statuses, CancellationToken stop)
    {
        using var client = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        while (!stop.IsCancellationRequested)
        {
            string outcome;
            try
            {
                using var content = new ByteArrayContent(bomb);
                content.Headers.ContentType = new("application/json");
                content.Headers.ContentEncoding.Add("gzip");
                using var response = await client.PostAsync(new Uri("v1/traces", UriKind.Relative), content, stop);
                outcome = ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (HttpRequestException ex)
            {
                outcome = "connection error: " + ex.HttpRequestError;
            }

            statuses.AddOrUpdate(outcome, 1, (_, n) => n + 1);
        }
    }

    /// <summary>120 MiB of spaces, gzip-compressed at the highest ratio: whitespace is valid JSON until the reader gives up.</summary>
    private static byte[] GzipBomb()
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.SmallestSize))
        {
            var spaces = new byte[1024 * 1024];
            Array.Fill(spaces, (byte)' ');
            for (var i = 0; i < 120; i++)
            {
                gzip.Write(spaces);
            }
        }

        return output.ToArray();
    }

    /// <summary>Samples the server's RSS every 50 ms and times /healthz every 100 ms until <paramref name="stop"/>.</summary>
    private static async Task<(long PeakRss, List<double> Health, int HealthFailures)> WatchAsync(Service server, CancellationToken stop)
    {
        long peak = 0;
        var sampler = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                peak = Math.Max(peak, server.Rss());
                await Task.Delay(50, CancellationToken.None);
            }
        }, CancellationToken.None);

        var latencies = new List<double>();
        var failures = 0;
        using var client = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(1) };
        while (!stop.IsCancellationRequested)
        {
            var clock = Stopwatch.StartNew();
            try
            {
                using var response = await client.GetAsync(new Uri("healthz", UriKind.Relative), CancellationToken.None);
                if (response.IsSuccessStatusCode)
                {
                    latencies.Add(clock.Elapsed.TotalMilliseconds);
                }
                else
                {
                    failures++;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                failures++;
            }

            var rest = TimeSpan.FromMilliseconds(100) - clock.Elapsed;
            if (rest > TimeSpan.Zero)
            {
                await Task.Delay(rest, CancellationToken.None);
            }
        }

        await sampler;
        return (peak, latencies, failures);
    }

    /// <summary>The built service in its own process on a free loopback port, with a temporary store.</summary>
    private sealed class Service : IDisposable
    {
        private readonly Process _process;
        private readonly string _directory;

        private Service(Process process, string directory, Uri baseAddress)
        {
            _process = process;
            _directory = directory;
            BaseAddress = baseAddress;
        }

        public Uri BaseAddress { get; }

        public static async Task<Service> StartAsync()
        {
            var directory = Directory.CreateTempSubdirectory("opsassistant-hostile-").FullName;
            int port;
            using (var listener = new TcpListener(IPAddress.Loopback, 0))
            {
                listener.Start();
                port = ((IPEndPoint)listener.LocalEndpoint).Port;
            }

            var assembly = ServerAssembly();
            var start = new ProcessStartInfo("dotnet", [assembly])
            {
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                WorkingDirectory = Path.GetDirectoryName(assembly)!,
            };
            start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
            start.Environment["OpsAssistant__SeedSamples"] = "false";
            start.Environment["OpsAssistant__Storage__Path"] = Path.Combine(directory, "traces.db");
            start.Environment["Logging__LogLevel__Default"] = "Warning";
            start.Environment.Remove("OTEL_EXPORTER_OTLP_ENDPOINT");
            var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            var service = new Service(process, directory, new Uri($"http://127.0.0.1:{port}/"));
            using var probe = new HttpClient { BaseAddress = service.BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (true)
            {
                try
                {
                    if ((await probe.GetAsync(new Uri("readyz", UriKind.Relative))).IsSuccessStatusCode)
                    {
                        return service;
                    }
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                {
                    // Not listening yet.
                }

                if (process.HasExited || DateTime.UtcNow > deadline)
                {
                    service.Dispose();
                    throw new InvalidOperationException("The service did not become ready.");
                }

                await Task.Delay(200);
            }
        }

        /// <summary>Resident set size from /proc (VmRSS), in bytes.</summary>
        public long Rss()
        {
            try
            {
                var line = File.ReadLines($"/proc/{_process.Id}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
                return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
            }
            catch (IOException)
            {
                return 0;
            }
        }

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit();
            }

            _process.Dispose();
            try
            {
                Directory.Delete(_directory, recursive: true);
            }
            catch (IOException)
            {
                // Cleaned by the OS later.
            }
        }

        private static string ServerAssembly()
        {
            var root = new DirectoryInfo(AppContext.BaseDirectory);
            while (root is not null && !File.Exists(Path.Combine(root.FullName, "OpsAssistant.sln")))
            {
                root = root.Parent;
            }

            var path = Path.Combine(root?.FullName ?? throw new InvalidOperationException("OpsAssistant.sln not found above the benchmark."),
                "src", "OpsAssistant.Server", "bin", "Release", "net10.0", "OpsAssistant.Server.dll");
            return File.Exists(path) ? path : throw new FileNotFoundException("Build the service in Release first: dotnet build src/OpsAssistant.Server -c Release", path);
        }
    }
}
