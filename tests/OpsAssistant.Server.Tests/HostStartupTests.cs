using System.Net;
using Microsoft.Extensions.DependencyInjection;
using OpsAssistant.Core.Model;
using OpsAssistant.Core.Sources;

namespace OpsAssistant.Server.Tests;

/// <summary>Configuration that must stop the service at boot, API keys, and errors that must not leak internals.</summary>
public sealed class HostStartupTests
{
    [Theory]
    [InlineData("OpsAssistant:Storage:Provider", "Mongo", "OpsAssistant:Storage:Provider")]
    [InlineData("OpsAssistant:TraceSource:Kind", "Jaeger", "OpsAssistant:TraceSource:Url")]
    [InlineData("OpsAssistant:Storage:Provider", "Postgres", "OpsAssistant:Storage:ConnectionString")]
    [InlineData("OpsAssistant:Ingest:MaxBufferedBytes", "1024", "OpsAssistant:Ingest:MaxBufferedBytes")]
    [InlineData("OpsAssistant:Security:WebhookToken", "short-token", "OpsAssistant:Security:WebhookToken")]
    [InlineData("OpsAssistant:Security:Keys:0:Key", "short-key", "OpsAssistant:Security:Keys")]
    [InlineData("OpsAssistant:Security:WebhookHmacSecret", "a-secret-of-just-24-chars", "OpsAssistant:Security:WebhookHmacSecret")]
    public void Start_InvalidConfiguration_IsRefusedNamingTheKey(string key, string value, string named)
    {
        var refusal = StartupCheck.Refusal(new() { [key] = value });

        Assert.NotNull(refusal);
        Assert.Contains(named, refusal, StringComparison.Ordinal);
    }

    [Fact]
    public void Start_DefaultConfiguration_IsAccepted() => Assert.Null(StartupCheck.Refusal([]));

    [Fact]
    public void TestHosts_EachListenOnTheirOwnEphemeralLoopbackPort()
    {
        using var first = new OpsAssistantHost();
        using var second = new OpsAssistantHost();

        Assert.Equal("127.0.0.1", first.BaseAddress.Host);
        Assert.NotEqual(new Uri(Microsoft.Extensions.DependencyInjection.OpsAssistantHostExtensions.DefaultUrl).Port, first.BaseAddress.Port);
        Assert.NotEqual(first.BaseAddress.Port, second.BaseAddress.Port);
    }

    [Fact]
    public void Start_BeyondLoopbackWithoutApiKeys_IsRefused()
    {
        var refusal = StartupCheck.Refusal(new() { ["urls"] = "http://0.0.0.0:0" });

        Assert.NotNull(refusal);
        Assert.Contains("OpsAssistant:Security:ApiKeys", refusal, StringComparison.Ordinal);
    }

    [Fact]
    public void Start_BeyondLoopbackWithApiKeysButOpenWebhooks_IsRefusedNamingTheWebhookKeys()
    {
        var refusal = StartupCheck.Refusal(new() { ["urls"] = "http://0.0.0.0:0", ["OpsAssistant:Security:ApiKeys:0"] = "0123456789abcdef-test-key" });

        Assert.NotNull(refusal);
        Assert.Contains("OpsAssistant:Security:WebhookToken or OpsAssistant:Security:WebhookHmacSecret", refusal, StringComparison.Ordinal);
        Assert.DoesNotContain("set OpsAssistant:Security:ApiKeys", refusal, StringComparison.Ordinal);
    }

    /// <summary>
    /// The real process: a refused start is one line on stderr naming every key at fault and exit code 2, with no stack
    /// trace and nothing on stdout (it used to abort with exit 134 and an unhandled exception's trace).
    /// </summary>
    [Fact]
    public async Task Process_InvalidConfiguration_ExitsTwoWithOneLineNamingEachKey()
    {
        var run = await ServerProcess.RunToExitAsync(new Dictionary<string, string>
        {
            ["OpsAssistant:Storage:Provider"] = "Mongo",
            ["OpsAssistant:Sampling:DefaultRate"] = "1.5",
        });

        Assert.Equal(2, run.ExitCode);
        var line = Assert.Single(run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("OpsAssistant:Storage:Provider", line, StringComparison.Ordinal);
        Assert.Contains("OpsAssistant:Sampling:DefaultRate", line, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", run.Stderr + run.Stdout, StringComparison.Ordinal);
    }

    /// <summary>
    /// The gRPC port already taken (a Collector on 4317, say) is found only while starting; it is refused like a bad
    /// configuration, naming the key and the port, instead of aborting with an unhandled exception.
    /// </summary>
    [Fact]
    public async Task Process_GrpcPortAlreadyInUse_ExitsTwoWithOneLineNamingTheKeyAndThePort()
    {
        using var holder = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        holder.Start();
        var port = ((IPEndPoint)holder.LocalEndpoint).Port;

        var run = await ServerProcess.RunToExitAsync(new Dictionary<string, string>
        {
            ["OpsAssistant:Ingest:GrpcUrl"] = $"http://127.0.0.1:{port}",
        });

        Assert.Equal(2, run.ExitCode);
        var line = Assert.Single(run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("OpsAssistant cannot start: ", line, StringComparison.Ordinal);
        Assert.Contains("OpsAssistant:Ingest:GrpcUrl", line, StringComparison.Ordinal);
        Assert.Contains($"port {port}", line, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", run.Stderr + run.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Stderr + run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Api_WithKeysConfigured_RequiresXApiKeyOrBearer()
    {
        const string key = "0123456789abcdef-test-key";
        using var host = new OpsAssistantHost(new() { ["OpsAssistant:Security:ApiKeys:0"] = key });
        using var client = host.CreateClient();
        var path = new Uri("api/traces", UriKind.Relative);

        using var anonymous = await client.GetAsync(path);
        await TracesApiTests.AssertProblemAsync(anonymous, HttpStatusCode.Unauthorized, "X-Api-Key");

        using var wrong = new HttpRequestMessage(HttpMethod.Get, path) { Headers = { { "X-Api-Key", "wrong-key-wrong-key" } } };
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(wrong)).StatusCode);

        using var withHeader = new HttpRequestMessage(HttpMethod.Get, path) { Headers = { { "X-Api-Key", key } } };
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(withHeader)).StatusCode);

        using var withBearer = new HttpRequestMessage(HttpMethod.Get, path) { Headers = { { "Authorization", $"Bearer {key}" } } };
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(withBearer)).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("healthz", UriKind.Relative))).StatusCode);
    }

    [Fact]
    public async Task Api_StoreThrows_Is500ProblemWithoutStackTrace()
    {
        using var host = new OpsAssistantHost(services: s => s.AddSingleton<ITraceStore>(new ThrowingStore()));
        using var client = host.CreateClient();

        using var response = await client.GetAsync(new Uri("api/traces/0123456789abcdef0123456789abcdef", UriKind.Relative));

        var problem = await TracesApiTests.AssertProblemAsync(response, HttpStatusCode.InternalServerError, "");
        var text = problem.RootElement.GetRawText();
        Assert.DoesNotContain("secret connection detail", text, StringComparison.Ordinal);
        Assert.DoesNotContain("ThrowingStore", text, StringComparison.Ordinal);
    }

    private sealed class ThrowingStore : ITraceStore
    {
        public string Name => "store";

        public Task<Trace?> GetTraceAsync(string traceId, CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException("secret connection detail");

        public Task<int> AddSpansAsync(IReadOnlyCollection<Span> spans, CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException("secret connection detail");

        public Task<IReadOnlyList<TraceSummary>> SearchAsync(TraceQuery query, CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException("secret connection detail");
    }
}
