using System.Net;
using System.Text;
using System.Text.Json;

namespace OpsAssistant.Server.Tests;

/// <summary>
/// Work that can spend LLM tokens is limited per caller per minute with ASP.NET Core's rate limiter: past the limit a
/// caller gets 429 problem details with Retry-After, while reads stay unlimited and other callers keep their own budget.
/// </summary>
public sealed class RateLimitTests
{
    private const string Trace = "7c4f1a90b3e84d2f9a6c5e8017b3d264";
    private const string FirstKey = "0123456789abcdef-first-key";
    private const string SecondKey = "0123456789abcdef-second-key";

    [Fact]
    public async Task Analyses_PastTheLimitPerMinute_Get429WithRetryAfterWhileReadsAndOtherKeysGoOn()
    {
        using var host = new OpsAssistantHost(new()
        {
            ["OpsAssistant:SeedSamples"] = "true",
            ["OpsAssistant:RateLimits:LlmRequestsPerMinute"] = "2",
            ["OpsAssistant:Security:ApiKeys:0"] = FirstKey,
            ["OpsAssistant:Security:ApiKeys:1"] = SecondKey,
            ["OpsAssistant:Security:WebhookToken"] = "0123456789abcdef-webhook",
        });
        using var first = Client(host, FirstKey);
        using var second = Client(host, SecondKey);

        Assert.Equal(HttpStatusCode.OK, (await AnalyseAsync(first)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await AnalyseAsync(first)).StatusCode);
        using var refused = await AnalyseAsync(first);

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.True(refused.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        using var problem = JsonDocument.Parse(await refused.Content.ReadAsStringAsync());
        Assert.Contains("OpsAssistant:RateLimits:LlmRequestsPerMinute", problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.OK, (await first.GetAsync($"api/traces/{Trace}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await AnalyseAsync(second)).StatusCode);
    }

    private static HttpClient Client(OpsAssistantHost host, string key)
    {
        var client = new HttpClient { BaseAddress = host.BaseAddress };
        client.DefaultRequestHeaders.Add("X-Api-Key", key);
        return client;
    }

    private static Task<HttpResponseMessage> AnalyseAsync(HttpClient client) =>
        client.PostAsync("api/analyses", new StringContent($$"""{"traceId":"{{Trace}}"}""", Encoding.UTF8, "application/json"));
}
