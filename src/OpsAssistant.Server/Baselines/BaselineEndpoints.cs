using Microsoft.AspNetCore.Http.HttpResults;
using OpsAssistant.Infrastructure.Baselines;

namespace OpsAssistant.Server.Baselines;

/// <summary><c>GET /api/baselines?service=&amp;operation=&amp;at=</c>: what normal looks like for a service's operations, per span kind.</summary>
internal static class BaselineEndpoints
{
    public static IEndpointRouteBuilder MapBaselineEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/baselines", GetAsync)
            .WithTags("Baselines")
            .WithName("GetBaselines")
            .WithSummary("Latency quantiles (p50, p90, p99), error rate and call count per operation and span kind of a service over the baseline window as of now, or as of 'at' (the window a trace starting then is judged against).");
        return endpoints;
    }

    internal static async Task<Results<Ok<BaselinesAnswer>, ValidationProblem>> GetAsync(
        string? service, string? operation, string? at, BaselineCatalog catalog, CancellationToken cancellationToken)
    {
        var lookup = await catalog.LookupAsync(service, operation, at, cancellationToken);
        return lookup.Answer is { } answer
            ? TypedResults.Ok(answer)
            : TypedResults.ValidationProblem(new Dictionary<string, string[]> { [lookup.Field!] = [lookup.Message!] }, title: $"Invalid '{lookup.Field}'");
    }
}
