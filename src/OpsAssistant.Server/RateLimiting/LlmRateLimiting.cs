using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using OpsAssistant.Server.Security;

namespace OpsAssistant.Server.RateLimiting;

/// <summary>
/// ASP.NET Core rate limiting on the routes that can spend LLM budget: a fixed one-minute window per caller, refused with
/// 429 problem details and <c>Retry-After</c>. Reads, health and ingest are not limited here (ingest has its own memory budget).
/// </summary>
internal static class LlmRateLimiting
{
    public const string PolicyName = "llm";

    public static IServiceCollection AddLlmRateLimiting(this IServiceCollection services)
    {
        services.AddOptions<LlmRateLimitOptions>().BindConfiguration(LlmRateLimitOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddRateLimiter(limiter =>
        {
            limiter.AddPolicy(PolicyName, context =>
            {
                var perMinute = context.RequestServices.GetRequiredService<IOptions<LlmRateLimitOptions>>().Value.LlmRequestsPerMinute;
                if (perMinute == 0)
                {
                    return RateLimitPartition.GetNoLimiter("off");
                }

                return RateLimitPartition.GetFixedWindowLimiter(Caller(context), _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = perMinute,
                    Window = TimeSpan.FromMinutes(1),
                    QueueLimit = 0,
                });
            });
            limiter.OnRejected = RejectAsync;
        });
        return services;
    }

    /// <summary>The key's fingerprint when the caller authenticated, else its address: one caller's burst cannot starve another.</summary>
    private static string Caller(HttpContext context) =>
        context.User.FindFirst(ApiKeyAuthenticationHandler.FingerprintClaim)?.Value is { } key
            ? "key:" + key
            : "ip:" + (context.Connection.RemoteIpAddress?.ToString() ?? "unknown");

    private static async ValueTask RejectAsync(OnRejectedContext rejected, CancellationToken cancellationToken)
    {
        var context = rejected.HttpContext;
        var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1);
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails =
            {
                Status = StatusCodes.Status429TooManyRequests,
                Title = "Too many requests",
                Detail = $"This caller has started {LlmRateLimitOptions.SectionName}:LlmRequestsPerMinute analyses, chat turns or MCP calls this minute; retry in {seconds} s.",
            },
        });
    }
}
