using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace OpsAssistant.Server.Health;

/// <summary>
/// Liveness (<c>/healthz</c>: the process answers; it runs no check, so it stays fast whatever the store or the LLM is
/// doing) and readiness (<c>/readyz</c>: ASP.NET Core health checks tagged <see cref="ReadyTag"/>: the store answers
/// (else 503), the alert queue has room and the LLM circuit is closed (else 200 "degraded": the service still works,
/// alerts are refused or analyses fall back to the deterministic engine)).
/// </summary>
internal static class HealthEndpoints
{
    public const string ReadyTag = "ready";

    public static IServiceCollection AddOpsAssistantHealthChecks(this IServiceCollection services)
    {
        services.AddHealthChecks()
            .AddCheck<TraceStoreHealthCheck>("store", tags: [ReadyTag])
            .AddCheck<AnalysisQueueHealthCheck>("queue", tags: [ReadyTag])
            .AddCheck<LlmCircuitHealthCheck>("llm", tags: [ReadyTag]);
        return services;
    }

    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = (context, _) => WriteAsync(context, "ok", null) })
            .WithTags("Health").WithName("Liveness");
        endpoints.MapHealthChecks("/readyz", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(ReadyTag),
            ResponseWriter = (context, report) => WriteAsync(context, Status(report.Status), report),
        }).WithTags("Health").WithName("Readiness");
        return endpoints;
    }

    private static string Status(HealthStatus status) => status switch
    {
        Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Healthy => "ready",
        Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Degraded => "degraded",
        _ => "not ready",
    };

    private static Task WriteAsync(HttpContext context, string status, HealthReport? report)
    {
        context.Response.ContentType = "application/json";
        context.Response.Headers.CacheControl = "no-store";
        var body = new HealthBody(status, report?.Entries.ToDictionary(
            e => e.Key,
            e => new HealthCheckBody(e.Value.Status.ToString().ToLowerInvariant(), e.Value.Description)));
        return context.Response.WriteAsync(JsonSerializer.Serialize(body, HealthJson.Options), context.RequestAborted);
    }
}
