using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using OpsAssistant.Infrastructure.Sampling;

namespace OpsAssistant.Server.Security;

/// <summary>
/// Requires one of the configured API keys on <c>/api/*</c>, <c>/mcp</c> and on OTLP ingest; health, OpenAPI and the page stay open.
/// <c>GET /api/sampling</c> and <c>GET /api/sampling/strategies</c> stay open too unless <c>OpsAssistant:Sampling:AllowAnonymousStrategies</c> is false: SDK samplers
/// poll it and cannot send a key (the strategy reveals only a rate); the override routes beneath it always need a key.
/// Keys are compared as SHA-256 digests in constant time so response timing reveals nothing about them.
/// </summary>
internal sealed class ApiKeyMiddleware(RequestDelegate next, IOptionsMonitor<SecurityOptions> options, IOptionsMonitor<SamplingOptions> sampling, IProblemDetailsService problems)
{
    public const string HeaderName = "X-Api-Key";

    public async Task InvokeAsync(HttpContext context)
    {
        var keys = options.CurrentValue.ApiKeys;
        if (keys.Count == 0 || !IsProtected(context.Request.Path) || IsOpenStrategyRead(context.Request) || IsAuthorized(context.Request, keys))
        {
            await next(context);
            return;
        }

        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.Headers.WWWAuthenticate = "Bearer";
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails =
            {
                Status = StatusCodes.Status401Unauthorized,
                Title = "API key required",
                Detail = $"Send one of the keys configured in {SecurityOptions.SectionName}:ApiKeys as '{HeaderName}: <key>' or 'Authorization: Bearer <key>'.",
            },
        });
    }

    internal static bool IsProtected(PathString path) =>
        path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase) || path.StartsWithSegments("/v1/traces", StringComparison.OrdinalIgnoreCase)
        || path.StartsWithSegments("/mcp", StringComparison.OrdinalIgnoreCase);

    /// <summary>The key a request presents, as <c>X-Api-Key</c> or a bearer token, or null.</summary>
    internal static string? PresentedKey(HttpRequest request)
    {
        string? presented = request.Headers[HeaderName].FirstOrDefault();
        if (string.IsNullOrEmpty(presented))
        {
            var authorization = request.Headers.Authorization.FirstOrDefault();
            if (authorization is not null && authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            {
                presented = authorization["Bearer ".Length..].Trim();
            }
        }

        return string.IsNullOrEmpty(presented) ? null : presented;
    }

    private bool IsOpenStrategyRead(HttpRequest request) =>
        sampling.CurrentValue.AllowAnonymousStrategies && HttpMethods.IsGet(request.Method)
        && (request.Path.Equals("/api/sampling", StringComparison.OrdinalIgnoreCase) || request.Path.Equals("/api/sampling/", StringComparison.OrdinalIgnoreCase)
            || request.Path.Equals("/api/sampling/strategies", StringComparison.OrdinalIgnoreCase));

    private static bool IsAuthorized(HttpRequest request, IList<string> keys) => IsKnownKey(PresentedKey(request), keys);

    /// <summary>Whether a presented key is one of <paramref name="keys"/>; also the gRPC port's check.</summary>
    internal static bool IsKnownKey(string? presented, IList<string> keys)
    {
        if (presented is null)
        {
            return false;
        }

        var digest = SHA256.HashData(Encoding.UTF8.GetBytes(presented));
        var match = false;
        foreach (var key in keys)
        {
            // No early exit: every key is compared whatever the outcome.
            match |= CryptographicOperations.FixedTimeEquals(digest, SHA256.HashData(Encoding.UTF8.GetBytes(key)));
        }

        return match;
    }
}
