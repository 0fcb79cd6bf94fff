using Microsoft.AspNetCore.Http.HttpResults;
using OpsAssistant.Infrastructure.Baselines;

namespace OpsAssistant.Server.Baselines;

/// <summary><c>GET /api/baselines?service=&amp;operation=</c>: what normal looks like for a service's operations, per span kind.</summary>
internal static class BaselineEndpoints
{
    public static IEndpointRouteBuilder MapBaselineEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/baselines", GetAsync)
            .WithTags("Baselines")
            .WithName("GetBaselines")
            .WithSummary("Latency quantiles (p50, p90, p99), error rate and call count per operation and span kind of a service over the baseline window.");
        return endpoints;
    }

    internal static async Task<Results<Ok<BaselinesAnswer>, ValidationProblem>> GetAsync(
        string? service, string? operation, BaselineCatalog catalog, CancellationToken cancellationToken)
    {
        var lookup = await catalog.GetAsync(service, operation, cancellationToken);
        return lookup.Answer is { } answer
            ? TypedResults.Ok(answer)
            : TypedResults.ValidationProblem(new Dictionary<string, string[]> { [lookup.Field!] = [lookup.Message!] }, title: $"Invalid '{lookup.Field}'");
    }
}
