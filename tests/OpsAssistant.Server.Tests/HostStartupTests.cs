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
    [InlineData("OpsAssistant:Ingest:MaxBufferedBytes", "1024", "OpsAssistant:Ingest:MaxBufferedBytes")]
    [InlineData("OpsAssistant:Security:WebhookToken", "short-token", "OpsAssistant:Security:WebhookToken")]
    [InlineData("OpsAssistant:Security:Keys:0:Key", "short-key", "OpsAssistant:Security:Keys")]
    [InlineData("OpsAssistant:Security:WebhookHmacSecret", "a-secret-of-just-24-chars", "OpsAssistant:Security:WebhookHmacSecret")]
    public void Start_InvalidConfiguration_FailsWithMessageNamingTheKey(string key, string value, string named)
    {
        using var host = new OpsAssistantHost(new() { [key] = value });

        var error = Assert.ThrowsAny<Exception>(() => host.StartServer());

        Assert.Contains(named, Flatten(error), StringComparison.Ordinal);
    }

    [Fact]
    public void Start_PostgresWithoutConnectionString_FailsNamingTheKey()
    {
        using var host = new OpsAssistantHost(new() { ["OpsAssistant:Storage:Provider"] = "Postgres" });

        var error = Assert.ThrowsAny<Exception>(() => host.StartServer());

        Assert.Contains("OpsAssistant:Storage:ConnectionString", Flatten(error), StringComparison.Ordinal);
    }

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
        using var host = new OpsAssistantHost(new() { ["urls"] = "http://0.0.0.0:0" });

        var error = Assert.ThrowsAny<Exception>(() => host.StartServer());

        Assert.Contains("OpsAssistant:Security:ApiKeys", Flatten(error), StringComparison.Ordinal);
    }

    [Fact]
    public void Start_BeyondLoopbackWithApiKeysButOpenWebhooks_IsRefusedNamingTheWebhookKeys()
    {
        using var host = new OpsAssistantHost(new() { ["urls"] = "http://0.0.0.0:0", ["OpsAssistant:Security:ApiKeys:0"] = "0123456789abcdef-test-key" });

        var error = Flatten(Assert.ThrowsAny<Exception>(() => host.StartServer()));

        Assert.Contains("OpsAssistant:Security:WebhookToken or OpsAssistant:Security:WebhookHmacSecret", error, StringComparison.Ordinal);
        Assert.DoesNotContain("set OpsAssistant:Security:ApiKeys", error, StringComparison.Ordinal);
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

    private static string Flatten(Exception error)
    {
        var messages = new List<string>();
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            messages.Add(e.Message);
            if (e is AggregateException aggregate)
            {
                messages.AddRange(aggregate.InnerExceptions.Select(Flatten));
            }
        }

        return string.Join(" | ", messages);
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
