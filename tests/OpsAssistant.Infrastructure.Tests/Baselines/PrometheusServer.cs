using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using OpsAssistant.Tests;

namespace OpsAssistant.Infrastructure.Tests.Baselines;

/// <summary>
/// Debian's real Prometheus on a free loopback port, serving the series of an OpenMetrics text loaded with
/// <c>promtool tsdb create-blocks-from openmetrics</c> into a temporary data directory. Killed and deleted on dispose.
/// </summary>
internal sealed class PrometheusServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _directory;

    private PrometheusServer(Process process, string directory, Uri url)
    {
        _process = process;
        _directory = directory;
        Url = url;
    }

    public Uri Url { get; }

    public static async Task<PrometheusServer> StartAsync(string openMetrics)
    {
        var (prometheus, promtool) = TestDependencies.PrometheusPaths();
        var directory = Directory.CreateTempSubdirectory("opsassistant-prometheus-").FullName;
        var input = Path.Combine(directory, "series.om");
        var data = Path.Combine(directory, "data");
        await File.WriteAllTextAsync(input, openMetrics);
        using (var create = Process.Start(Info(promtool, "tsdb", "create-blocks-from", "openmetrics", input, data))!)
        {
            var output = create.StandardOutput.ReadToEndAsync();
            var errors = create.StandardError.ReadToEndAsync();
            await create.WaitForExitAsync();
            if (create.ExitCode != 0)
            {
                throw new InvalidOperationException($"promtool failed ({create.ExitCode}): {await errors}{await output}");
            }
        }

        var config = Path.Combine(directory, "prometheus.yml");
        await File.WriteAllTextAsync(config, "global:\n  scrape_interval: 1m\n");
        var port = FreePort();
        var process = Process.Start(Info(prometheus, $"--storage.tsdb.path={data}", $"--config.file={config}",
            $"--web.listen-address=127.0.0.1:{port}", "--storage.tsdb.retention.time=30d"))!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new PrometheusServer(process, directory, new Uri($"http://127.0.0.1:{port}/"));
        try
        {
            await server.WaitReadyAsync();
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        return server;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private async Task WaitReadyAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"prometheus exited with {_process.ExitCode} before it was ready.");
            }

            try
            {
                using var response = await http.GetAsync(new Uri(Url, "-/ready"));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet.
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"prometheus at {Url} was not ready within 60 s.");
    }

    private static ProcessStartInfo Info(string file, params string[] arguments)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        return info;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
