using Microsoft.AspNetCore.Http.HttpResults;
using OpsAssistant.Infrastructure.Storage;

namespace OpsAssistant.Server.Health;

/// <summary>Liveness (<c>/healthz</c>: the process answers) and readiness (<c>/readyz</c>: the trace store answers).</summary>
internal static class HealthEndpoints
{
    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/healthz", () => TypedResults.Ok(new HealthStatus("ok"))).WithTags("Health").WithName("Liveness");
        endpoints.MapGet("/readyz", ReadyAsync).WithTags("Health").WithName("Readiness");
        return endpoints;
    }

    internal static async Task<Results<Ok<HealthStatus>, ProblemHttpResult>> ReadyAsync(RelationalTraceStore store, CancellationToken cancellationToken)
    {
        return await store.PingAsync(cancellationToken)
            ? TypedResults.Ok(new HealthStatus("ready"))
            : TypedResults.Problem("The trace store does not answer.", statusCode: StatusCodes.Status503ServiceUnavailable, title: "Not ready");
    }
}
