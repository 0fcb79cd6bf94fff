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
        // An ISO 8601 / RFC 3339 instant (UTC when it has no offset): the baselines a trace starting then is judged against.
        DateTimeOffset? asOf = null;
        if (at is not null)
        {
            if (!DateTimeOffset.TryParse(at, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var parsed))
            {
                return TypedResults.ValidationProblem(
                    new Dictionary<string, string[]> { ["at"] = ["'at' must be an ISO 8601 instant such as 2025-06-02T09:57:08Z, or left out for now."] },
                    title: "Invalid 'at'");
            }

            asOf = parsed;
        }

        var lookup = await catalog.GetAsync(service, operation, asOf, cancellationToken);
        return lookup.Answer is { } answer
            ? TypedResults.Ok(answer)
            : TypedResults.ValidationProblem(new Dictionary<string, string[]> { [lookup.Field!] = [lookup.Message!] }, title: $"Invalid '{lookup.Field}'");
    }
}
