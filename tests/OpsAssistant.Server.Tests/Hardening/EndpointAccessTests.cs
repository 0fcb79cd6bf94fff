using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace OpsAssistant.Server.Tests.Hardening;

/// <summary>
/// Every endpoint the running host maps under /api, /v1 and /webhooks, found through <see cref="EndpointDataSource"/>
/// rather than listed by hand, so a new route is covered the day it is added: each refuses a missing and a wrong API key
/// (webhooks: a missing or wrong bearer token and a bad HMAC signature) with a 401 problem.
/// </summary>
public sealed class EndpointAccessTests : IDisposable
{
    private const string Key = "access-test-key-0123456789";
    private const string Token = "access-test-webhook-token-0123";
    private const string Secret = "access-test-hmac-secret-0123456789abcdef";

    /// <summary>Routes under the guarded prefixes that are open on purpose, each with the reason. Keep this empty unless argued.</summary>
    private static readonly Dictionary<string, string> DeliberatelyAnonymous = new(StringComparer.Ordinal)
    {
        // OpenTelemetry SDKs' Jaeger remote samplers poll these and cannot send a key; they reveal only sampling rates, and
        // OpsAssistant:Sampling:AllowAnonymousStrategies=false closes them (SamplingApiTests covers both settings).
        ["GET /api/sampling"] = "Jaeger remote-sampling strategy for SDKs",
        ["GET /api/sampling/"] = "the same route as the group maps it",
        ["GET /api/sampling/strategies"] = "Jaeger strategies file for the Collector's file source",
    };

    private readonly OpsAssistantHost _host = new(new()
    {
        ["OpsAssistant:Security:ApiKeys:0"] = Key,
        ["OpsAssistant:Security:WebhookToken"] = Token,
        ["OpsAssistant:Security:WebhookHmacSecret"] = Secret,
    });

    public void Dispose() => _host.Dispose();

    private IReadOnlyList<(string Method, string Path)> GuardedRoutes()
    {
        _ = _host.BaseAddress;
        var routes = _host.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Select(e => (Endpoint: e, Pattern: "/" + (e.RoutePattern.RawText ?? "").TrimStart('/')))
            .Where(e => e.Pattern.StartsWith("/api", StringComparison.OrdinalIgnoreCase) || e.Pattern.StartsWith("/v1", StringComparison.OrdinalIgnoreCase)
                || e.Pattern.StartsWith("/webhooks", StringComparison.OrdinalIgnoreCase))
            .SelectMany(e => (e.Endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Select(m => (m, Fill(e.Pattern))))
            .Distinct()
            .Where(r => !DeliberatelyAnonymous.ContainsKey($"{r.m} {r.Item2}"))
            .ToList();
        return routes;
    }

    /// <summary>Route parameters get a valid-looking value, so a refusal is the guard's and not the route's.</summary>
    private static string Fill(string pattern) => System.Text.RegularExpressions.Regex.Replace(pattern, @"\{(?<name>[^}:]+)[^}]*\}",
        m => m.Groups["name"].Value.Contains("trace", StringComparison.OrdinalIgnoreCase) ? "7c4f1a90b3e84d2f9a6c5e8017b3d264" : "some-id");

    [Fact]
    public void Enumeration_FindsTheKnownRoutes()
    {
        var routes = GuardedRoutes().Select(r => $"{r.Method} {r.Path}").ToList();

        foreach (var known in new[] { "POST /api/analyses", "GET /api/traces", "POST /v1/traces", "POST /webhooks/alertmanager", "POST /webhooks/grafana", "POST /api/chat" })
        {
            Assert.Contains(routes, r => r.StartsWith(known, StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task EveryApiAndIngestRoute_WithoutOrWithAWrongKey_Is401Problem()
    {
        using var client = _host.CreateClient();
        var checkedRoutes = 0;
        foreach (var (method, path) in GuardedRoutes().Where(r => !r.Path.StartsWith("/webhooks", StringComparison.OrdinalIgnoreCase)))
        {
            foreach (var credentials in new Dictionary<string, string>[] { [], new() { ["X-Api-Key"] = "wrong-" + Key }, new() { ["Authorization"] = "Bearer wrong-" + Key }, new() { ["X-Api-Key"] = "" } })
            {
                using var request = Request(method, path, "{}", credentials);
                using var response = await client.SendAsync(request);
                Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{method} {path} with [{string.Join(", ", credentials.Keys)}] answered {(int)response.StatusCode}");
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            }

            checkedRoutes++;
        }

        Assert.True(checkedRoutes >= 6, $"only {checkedRoutes} API routes found");
    }

    /// <summary>Spellings of a guarded path that routing may still match: none may slip past the key check.</summary>
    [Fact]
    public async Task EveryApiAndIngestRoute_SpelledDifferently_IsStillRefusedWithoutAKey()
    {
        using var client = _host.CreateClient();
        var tried = 0;
        foreach (var (method, path) in GuardedRoutes().Where(r => !r.Path.StartsWith("/webhooks", StringComparison.OrdinalIgnoreCase)))
        {
            var variants = new[]
            {
                "/" + path, path.Replace("/", "//", StringComparison.Ordinal), path.ToUpperInvariant(), path + "/", "/%61" + path[2..],
                "/." + path, path.Insert(path.IndexOf('/', 1) < 0 ? path.Length : path.IndexOf('/', 1), "/."), path + "?x-api-key=" + Key,
                path.Insert(path.IndexOf('/', 1) < 0 ? path.Length : path.IndexOf('/', 1), "/..%2F" + path.Split('/')[1]),
            };
            foreach (var variant in variants)
            {
                using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(_host.BaseAddress.GetLeftPart(UriPartial.Authority) + variant));
                if (method == "POST")
                {
                    request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
                }

                using var response = await client.SendAsync(request);
                Assert.True(response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.NotFound or HttpStatusCode.BadRequest or HttpStatusCode.MethodNotAllowed,
                    $"{method} {variant} without a key answered {(int)response.StatusCode}");
                tried++;
            }
        }

        Assert.True(tried >= 40);
    }

    [Fact]
    public async Task EveryWebhookRoute_WithoutTokenWrongTokenOrBadSignature_Is401Problem()
    {
        using var client = _host.CreateClient();
        const string body = """{"alerts":[]}""";
        var stamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var good = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), Encoding.UTF8.GetBytes(stamp + "." + body)));
        var refusals = new Dictionary<string, string>[]
        {
            new() { ["X-OpsAssistant-Timestamp"] = stamp, ["X-OpsAssistant-Signature"] = good },
            new() { ["Authorization"] = "Bearer " + Token, ["X-OpsAssistant-Signature"] = good },
            new() { ["Authorization"] = "Bearer wrong-" + Token, ["X-OpsAssistant-Signature"] = good },
            new() { ["Authorization"] = "Basic " + Token, ["X-OpsAssistant-Signature"] = good },
            new() { ["X-Api-Key"] = Key, ["X-OpsAssistant-Signature"] = good },
            new() { ["Authorization"] = "Bearer " + Token },
            new() { ["Authorization"] = "Bearer " + Token, ["X-OpsAssistant-Signature"] = "sha256=" + new string('0', 64) },
            new() { ["Authorization"] = "Bearer " + Token, ["X-OpsAssistant-Signature"] = "sha256=zz" },
            new() { ["Authorization"] = "Bearer " + Token, ["X-OpsAssistant-Signature"] = good[..^2] },
            new() { ["Authorization"] = "Bearer " + Token, ["X-OpsAssistant-Signature"] = "sha1=" + good[7..] },
        };
        var webhooks = GuardedRoutes().Where(r => r.Path.StartsWith("/webhooks", StringComparison.OrdinalIgnoreCase)).ToList();
        Assert.Equal(2, webhooks.Count);
        foreach (var (method, path) in webhooks)
        {
            foreach (var credentials in refusals)
            {
                using var request = Request(method, path, body, credentials);
                using var response = await client.SendAsync(request);
                Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{method} {path} with [{string.Join(", ", credentials.Select(c => c.Key + ": " + c.Value))}] answered {(int)response.StatusCode}");
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            }

            // The same body with both credentials right is accepted: the refusals above were the guard's. Each route gets its
            // own signing time, as a sender signs each delivery: one signature twice is a replay.
            var signedAt = DateTimeOffset.UtcNow.AddSeconds(-webhooks.IndexOf((method, path))).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
            var signature = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), Encoding.UTF8.GetBytes(signedAt + "." + body)));
            using var accepted = Request(method, path, body,
                new() { ["Authorization"] = "Bearer " + Token, ["X-OpsAssistant-Timestamp"] = signedAt, ["X-OpsAssistant-Signature"] = signature });
            Assert.Equal(HttpStatusCode.Accepted, (await client.SendAsync(accepted)).StatusCode);
        }
    }

    private static HttpRequestMessage Request(string method, string path, string body, Dictionary<string, string> headers)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), new Uri(path.TrimStart('/'), UriKind.Relative));
        if (method is "POST" or "PUT" or "PATCH")
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return request;
    }
}
